import { setTimeout as delay } from 'node:timers/promises'
import { GraphError } from '@microsoft/microsoft-graph-client'
import type { PerUserMfaState } from '@m365/contracts'
import {
  backoffDelay, GraphRequestError, isPermissionDenied, parseRetryAfter, PERMISSION_DENIED, perUserMfaState, RETRYABLE_STATUS, type GraphClient
} from '@m365/graph'

/** Graph's limit of requests in one JSON batch (spec §6). */
export const BATCH_SIZE = 20

interface BatchResponse {
  id: string
  status: number
  headers?: Record<string, string>
  body?: { perUserMfaState?: unknown, error?: { code?: string, message?: string } }
}

export type PerUserBatchResult = { denied: true } | { denied: false, states: Array<{ id: string, state: PerUserMfaState }> }

const known = (v: unknown): PerUserMfaState => v === 'disabled' || v === 'enabled' || v === 'enforced' ? v : 'unknown'

/** Throttled, unavailable, or failed because another request failed (424): worth sending again. */
const retryable = (status: number) => RETRYABLE_STATUS.has(status) || status === 424

/**
 * The legacy per-user MFA state (beta /users/{id}/authentication/requirements) of up to 20 users in
 * one POST /beta/$batch (spec §4.2, §6). The envelope goes through the client's retry policy. Graph
 * throttles the items inside a batch one by one: the items it throttled (429/503/504), failed as a
 * dependency (424) or left out are sent again, as a batch of their own, once the largest of their
 * Retry-Afters has passed (backoff with jitter when none says), within the client's retry policy
 * (maxAttempts, maxRetryAfterMs); a last one left goes alone, as a request the client retries. An
 * envelope answered 424 (what the throttling doc describes) is read for its items the same way. 404: the user is gone (left out). 403 Authorization_RequestDenied:
 * Policy.Read.All is missing, `{ denied: true }`.
 */
export async function perUserStatesBatch (client: GraphClient, ids: readonly string[], signal: AbortSignal): Promise<PerUserBatchResult> {
  if (ids.length > BATCH_SIZE) throw new RangeError(`at most ${BATCH_SIZE} users per batch`)
  const policy = client.retryPolicy
  const states: Array<{ id: string, state: PerUserMfaState }> = []
  const unanswered = new Map(ids.map((id, i) => [String(i + 1), id]))
  for (let attempt = 1; unanswered.size > 0; attempt++) {
    signal.throwIfAborted()
    const [last] = unanswered.values()
    if (attempt > 1 && unanswered.size === 1 && last !== undefined) return await readOne(client, last, states, signal)
    const requests = [...unanswered].map(([key, id]) => ({ id: key, method: 'GET', url: `/users/${encodeURIComponent(id)}/authentication/requirements` }))
    const answer = await postBatch(client, requests, signal)
    let retryAfter: number | null = answer.retryAfter
    let failed: GraphRequestError | null = null
    for (const item of answer.responses) {
      const id = unanswered.get(item.id)
      if (id === undefined) continue
      if (retryable(item.status)) {
        const wait = parseRetryAfter(headerOf(item, 'retry-after'))
        if (wait !== null) retryAfter = Math.max(retryAfter ?? 0, wait)
        failed = itemError(item)
        continue
      }
      unanswered.delete(item.id)
      if (item.status === 200) states.push({ id, state: known(item.body?.perUserMfaState) })
      else if (item.status === 403 && item.body?.error?.code?.toLowerCase() === PERMISSION_DENIED.toLowerCase()) return { denied: true }
      else if (item.status !== 404) throw itemError(item)
    }
    if (unanswered.size === 0) break
    const giveUp = failed ?? answer.error ?? new GraphRequestError({ status: 0, code: 'batch_incomplete', message: `the batch left ${unanswered.size} requests unanswered` })
    if (attempt >= policy.maxAttempts || (retryAfter !== null && retryAfter > policy.maxRetryAfterMs)) throw giveUp
    await delay(retryAfter ?? backoffDelay(attempt, policy), undefined, { signal })
  }
  return { denied: false, states }
}

/** The last item again: on its own, a request the client's retry policy retries (a batch of one would add the envelope). */
async function readOne (
  client: GraphClient, id: string, states: Array<{ id: string, state: PerUserMfaState }>, signal: AbortSignal
): Promise<PerUserBatchResult> {
  try {
    states.push({ id, state: await perUserMfaState(client, id, { signal }) })
  } catch (err) {
    if (isPermissionDenied(err)) return { denied: true }
    if (!(err instanceof GraphRequestError && err.status === 404)) throw err
  }
  return { denied: false, states }
}

function headerOf (item: BatchResponse, name: string): string | null {
  const found = Object.entries(item.headers ?? {}).find(([key]) => key.toLowerCase() === name)
  return found ? String(found[1]) : null
}

function itemError (item: BatchResponse): GraphRequestError {
  return new GraphRequestError({
    status: item.status,
    code: item.body?.error?.code ?? `http_${item.status}`,
    message: item.body?.error?.message ?? `batch item answered HTTP ${item.status}`,
    retryAfterMs: parseRetryAfter(headerOf(item, 'retry-after'))
  })
}

interface BatchAnswer {
  responses: BatchResponse[]
  /** The envelope's own Retry-After, when it failed as a whole (424). */
  retryAfter: number | null
  /** The envelope's failure, when it failed as a whole. */
  error: GraphRequestError | null
}

/**
 * The envelope, through the client's retry policy. A 424 envelope is not an answer to give up on:
 * its per-item responses (if it carries them) say which items to send again; without them, all are.
 */
async function postBatch (client: GraphClient, requests: unknown[], signal: AbortSignal): Promise<BatchAnswer> {
  try {
    const answer = await client.post<{ responses?: BatchResponse[] }>('/$batch', { requests }, { version: 'beta', signal })
    return { responses: answer.responses ?? [], retryAfter: null, error: null }
  } catch (err) {
    if (!(err instanceof GraphRequestError && err.status === 424)) throw err
    const cause = err.cause instanceof GraphError ? err.cause : null
    const body = cause?.body as { responses?: BatchResponse[] } | string | undefined
    const responses = typeof body === 'object' && Array.isArray(body?.responses) ? body.responses : []
    return { responses, retryAfter: parseRetryAfter(cause?.headers?.get('retry-after')), error: err }
  }
}
