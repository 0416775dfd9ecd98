/** msal's serialized cache: sections (AccessToken, Account, …) of entries by cache key. */
type SerializedCache = Record<string, Record<string, Record<string, unknown>>>

export const EMPTY_CACHE = JSON.stringify({ Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} })

function parse (text: string): SerializedCache {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as SerializedCache : {}
  } catch {
    return {}
  }
}

const expiresOn = (entry: Record<string, unknown> | undefined) => Number(entry?.expires_on ?? Number.NaN)

/**
 * Merges two serialized msal caches entry by entry, for a writer that lost a race: every key
 * either side holds survives, and where both hold one, the entry that expires later wins.
 * Access tokens already expired are dropped. The result is always a well-formed cache.
 */
export function mergeCaches (theirs: string, ours: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const a = parse(theirs)
  const b = parse(ours)
  const merged: SerializedCache = parse(EMPTY_CACHE)
  for (const section of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const entries: Record<string, Record<string, unknown>> = { ...(a[section] ?? {}) }
    for (const [key, entry] of Object.entries(b[section] ?? {})) {
      const existing = entries[key]
      if (!existing || !(expiresOn(existing) > expiresOn(entry))) entries[key] = entry
    }
    if (section === 'AccessToken') {
      for (const [key, entry] of Object.entries(entries)) if (expiresOn(entry) <= nowSeconds) delete entries[key]
    }
    merged[section] = entries
  }
  return JSON.stringify(merged)
}
