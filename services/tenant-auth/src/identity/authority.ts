/** Hosts msal-node knows itself (hard-coded metadata, no discovery); any other host must be in knownAuthorities. */
const MICROSOFT_HOSTS = new Set([
  'login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net',
  'login.microsoftonline.us', 'login.usgovcloudapi.net', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn',
  'login.microsoftonline.de'
])

export interface AuthorityOptions { authority: string, knownAuthorities?: string[] }

/**
 * msal-node `auth` settings for one tenant on AUTHORITY_HOST (`https://login.microsoftonline.com` or,
 * in tests and the demo, the simulator). The authority must name the tenant: msal refuses
 * client credentials on /common and /organizations.
 * See specs/microsoft-graph.md §8.1.
 */
export function authorityFor (authorityHost: string, tenantId: string): AuthorityOptions {
  const origin = new URL(authorityHost)
  const authority = `${origin.origin}/${tenantId}`
  return MICROSOFT_HOSTS.has(origin.hostname.toLowerCase()) ? { authority } : { authority, knownAuthorities: [origin.host] }
}

/** The v2 admin-consent URL (spec §7): the tenant when known, else `organizations` (never `common`). */
export function adminConsentUrl (opts: { authorityHost: string, appClientId: string, redirectUri: string, state: string, tenantId?: string | null }): string {
  const url = new URL(`${new URL(opts.authorityHost).origin}/${opts.tenantId ?? 'organizations'}/v2.0/adminconsent`)
  url.searchParams.set('client_id', opts.appClientId)
  url.searchParams.set('scope', 'https://graph.microsoft.com/.default')
  url.searchParams.set('redirect_uri', opts.redirectUri)
  url.searchParams.set('state', opts.state)
  return url.toString()
}
