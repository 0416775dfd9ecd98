import type { WebhookSettings } from './secrets.js'

export interface SettingsCacheOptions {
  /** how long settings are used before they are read again; 0 turns the cache off */
  ttlMs: number
  /** entries beyond this drop the expired ones first (there is one entry per existing connection at most) */
  maxEntries?: number
  now?: () => number
}

interface Entry { settings: Promise<WebhookSettings | undefined>, expiresAt: number }

/**
 * Webhook verification settings (decrypted secrets, type, Halo auth) per connection, in memory for `ttlMs`, so intake
 * does not read and decrypt the connection for every delivery. Never past the end of a secret's grace period (the
 * settings then change by themselves). This replica drops an entry as soon as it rotates, changes or deletes the
 * connection (`invalidate`); other replicas see such a change within `ttlMs` at the latest, and a signature that the
 * cached secrets reject is checked again against fresh settings (`refresh`), so a new secret verifies at once
 * everywhere. Only connections that exist are kept; lookups of the same connection share one read.
 */
export function createSettingsCache (load: (id: string) => Promise<WebhookSettings | undefined>, options: SettingsCacheOptions) {
  const { ttlMs, maxEntries = 10_000, now = Date.now } = options
  const entries = new Map<string, Entry>()

  function prune (): void {
    const at = now()
    for (const [id, entry] of entries) if (entry.expiresAt <= at) entries.delete(id)
  }

  function read (id: string): Promise<WebhookSettings | undefined> {
    const settings = load(id)
    if (ttlMs <= 0) return settings
    const entry: Entry = { settings, expiresAt: Number.POSITIVE_INFINITY }
    if (entries.size >= maxEntries) prune()
    entries.set(id, entry)
    settings.then((found) => {
      if (entries.get(id) !== entry) return // invalidated or replaced while it was read
      if (!found) entries.delete(id)
      else entry.expiresAt = Math.min(now() + ttlMs, found.changesAt ?? Number.POSITIVE_INFINITY)
    }, () => { if (entries.get(id) === entry) entries.delete(id) })
    return settings
  }

  return {
    /** the settings, cached; `cached` says whether they may be older than this request */
    async get (id: string): Promise<{ settings: WebhookSettings | undefined, cached: boolean }> {
      const entry = entries.get(id)
      if (entry && entry.expiresAt > now()) return { settings: await entry.settings, cached: true }
      return { settings: await read(id), cached: false }
    },
    /** read again (a signature the cached secrets rejected may be signed with a secret rotated in on another replica) */
    async refresh (id: string): Promise<WebhookSettings | undefined> {
      entries.delete(id)
      return await read(id)
    },
    invalidate (id: string): void {
      entries.delete(id)
    }
  }
}

export type SettingsCache = ReturnType<typeof createSettingsCache>
