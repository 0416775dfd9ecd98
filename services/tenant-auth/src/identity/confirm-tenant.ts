import { setTimeout as sleep } from 'node:timers/promises'
import { createGraphClient, GraphRequestError, type GraphTransport } from '@m365/graph'
import type { FastifyBaseLogger } from 'fastify'
import { classifyAuthError, type AuthFailure } from './aad-errors.js'
import type { AppCredential } from './app-credential.js'
import type { TokenBroker } from './token-broker.js'

const MAX_DELAY_MS = 15_000

export interface ConfirmTenantOptions {
  tenantId: string
  credential: AppCredential
  broker: TokenBroker
  graphBaseUrl: string
  transport: GraphTransport
  log: FastifyBaseLogger
  /** How long to keep retrying while a fresh consent replicates (0: one attempt). */
  timeoutMs: number
  initialDelayMs: number
  /** Aborted when the service shuts down: stop waiting for replication. */
  signal?: AbortSignal
}

export type ConfirmResult =
  | { ok: true, displayName: string | null }
  | { ok: false, kind: AuthFailure['kind'] | 'mismatch', aadsts?: string | undefined, reason: string }

interface Organization { id?: string, displayName?: string }

/**
 * Proves we really reach the tenant (spec §7: never trust the callback's `tenant` alone): a fresh
 * app token for it, then GET /v1.0/organization must name the same tenant. Right after consent the
 * service principal and grants take a while to replicate (AADSTS700016, Graph 401/403): those are
 * retried with exponential backoff until `timeoutMs`; anything else fails at once.
 */
export async function confirmTenant (opts: ConfirmTenantOptions): Promise<ConfirmResult> {
  const { tenantId, credential, broker, log } = opts
  const deadline = Date.now() + opts.timeoutMs
  let delay = opts.initialDelayMs
  for (let attempt = 1; ; attempt++) {
    let failure: ConfirmResult & { ok: false }
    let retryable: boolean
    try {
      const token = await broker.acquire(tenantId, credential, { fresh: true })
      const graph = createGraphClient({
        baseUrl: opts.graphBaseUrl,
        transport: opts.transport,
        getAccessToken: async () => token.accessToken,
        retry: { maxAttempts: 3, baseDelayMs: 500, timeoutMs: 30_000 }
      })
      const org = await graph.get<{ value?: Organization[] }>('/organization', { select: ['id', 'displayName'] })
      const found = org.value?.[0]
      if (found?.id?.toLowerCase() === tenantId.toLowerCase()) return { ok: true, displayName: found.displayName ?? null }
      return { ok: false, kind: 'mismatch', reason: `Graph's organization is ${found?.id ?? 'missing'}, not tenant ${tenantId}` }
    } catch (err) {
      if (err instanceof GraphRequestError) {
        retryable = err.status === 401 || err.status === 403
        failure = { ok: false, kind: retryable ? 'consent_revoked' : 'unavailable', reason: `Graph answered ${err.status || 'nothing'} ${err.code}: ${err.message}` }
      } else {
        const classified = classifyAuthError(err)
        retryable = classified.kind === 'consent_revoked'
        failure = { ok: false, ...classified }
      }
    }
    if (!retryable || Date.now() + delay > deadline || opts.signal?.aborted) return failure
    log.info({ tenantId, attempt, aadsts: failure.aadsts, delayMs: delay }, 'consent not visible yet, retrying')
    try {
      await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : {})
    } catch {
      return failure // shutting down
    }
    delay = Math.min(delay * 2, MAX_DELAY_MS)
  }
}
