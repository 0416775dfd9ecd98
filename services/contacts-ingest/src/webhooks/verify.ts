import {
  verifyAutotask, verifyConnectWise, verifyHalo, type ConnectWiseKeySource, type HaloAuthConfig, type HeaderSource
} from '@m365/psa'
import type { WebhookSettings } from '../connections/secrets.js'

export type VerifyOutcome =
  | { ok: true, via: string }
  /** 401: not authentic; 503: we could not check (the ConnectWise key could not be fetched), so the PSA should retry */
  | { ok: false, status: 401 | 503, reason: string }

export interface ConnectWiseKeys { fetcher: ConnectWiseKeySource, allowedHosts: readonly string[] }

/** Checks a delivery exactly as its PSA signs it, over the raw body bytes (specs/psa-webhooks.md §2.3, §3.3, §4.3). */
export async function verifyDelivery (
  settings: WebhookSettings, raw: Buffer, headers: HeaderSource, cw: ConnectWiseKeys
): Promise<VerifyOutcome> {
  switch (settings.psa) {
    case 'autotask': {
      const result = verifyAutotask(raw, headers, settings.secrets)
      return result.ok ? { ok: true, via: `${result.matched}:${secretName(result.secretIndex)}` } : { ok: false, status: 401, reason: result.reason }
    }
    case 'connectwise': {
      // bound to the connection's own company and site when its credentials say which; without credentials, any
      // ConnectWise instance's signature on an allowed key host is accepted (nothing to bind to)
      const result = await verifyConnectWise(raw, headers, cw.fetcher, { allowedKeyHosts: cw.allowedHosts, ...settings.connectWise })
      if (result.ok) return { ok: true, via: result.refreshed ? 'key-url:refreshed' : 'key-url' }
      return { ok: false, status: result.reason === 'key_fetch_failed' ? 503 : 401, reason: result.reason }
    }
    case 'halopsa': {
      const result = verifyHalo(headers, haloConfig(settings))
      return result.ok ? { ok: true, via: `${haloType(settings)}:${secretName(result.credentialIndex)}` } : { ok: false, status: 401, reason: result.reason }
    }
  }
}

const secretName = (index: number) => (index === 0 ? 'current' : 'previous')
const haloType = (settings: WebhookSettings) => settings.webhookAuth?.type ?? 'basic'

function haloConfig ({ webhookAuth, secrets }: WebhookSettings): HaloAuthConfig {
  const auth = webhookAuth ?? { type: 'basic', username: 'psa-webhook' }
  switch (auth.type) {
    case 'basic': return { type: 'basic', credentials: secrets.map((password) => ({ username: auth.username, password })) }
    case 'bearer': return { type: 'bearer', tokens: secrets }
    case 'header': return { type: 'header', name: auth.name, values: secrets }
  }
}
