/**
 * ConnectWise cloud hosts a `Metadata.key_url` may point at (specs/psa-webhooks.md §2.3, as Nango accepts them).
 * HTTPS on the default port only.
 */
export const CONNECTWISE_KEY_HOSTS: readonly string[] = Object.freeze([
  'api-na.myconnectwise.net', 'api-eu.myconnectwise.net', 'api-au.myconnectwise.net',
  'sandbox-na.myconnectwise.net', 'sandbox-eu.myconnectwise.net', 'sandbox-au.myconnectwise.net',
  'na.myconnectwise.net', 'eu.myconnectwise.net', 'au.myconnectwise.net'
])

/**
 * Whether a key URL from an (untrusted) callback body may be fetched.
 * An allow-list entry is either a bare host name, which allows `https://<host>` on the default port, or an
 * exact origin such as `https://cw.example.com:8443` (on-prem) or `http://127.0.0.1:4010` (the simulator).
 * URLs with credentials are never allowed.
 */
export function isAllowedKeyUrl (keyUrl: string, allowedHosts: readonly string[] = CONNECTWISE_KEY_HOSTS): boolean {
  let url: URL
  try {
    url = new URL(keyUrl)
  } catch {
    return false
  }
  if (url.username !== '' || url.password !== '') return false
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false
  return allowedHosts.some((entry) => entryAllows(entry.trim().toLowerCase(), url))
}

function entryAllows (entry: string, url: URL): boolean {
  if (entry.includes('://')) {
    try {
      return new URL(entry).origin === url.origin
    } catch {
      return false
    }
  }
  return url.protocol === 'https:' && url.port === '' && url.hostname === entry
}

/**
 * Whether a key URL is on the connection's own ConnectWise site: the origin of its REST `baseUrl`, or that site's
 * other cloud host (`api-na.myconnectwise.net` ↔ `na.myconnectwise.net`, specs/psa-webhooks.md §2.5). Another
 * ConnectWise instance's key_url passes the allow-list but not this.
 */
export function isKeyUrlOnSite (keyUrl: string, baseUrl: string): boolean {
  let key: URL
  let site: URL
  try {
    key = new URL(keyUrl)
    site = new URL(baseUrl)
  } catch {
    return false
  }
  if (key.protocol !== site.protocol || key.port !== site.port) return false
  const host = site.hostname.toLowerCase()
  const hosts = new Set([host, host.startsWith('api-') ? host.slice(4) : `api-${host}`])
  return hosts.has(key.hostname.toLowerCase())
}
