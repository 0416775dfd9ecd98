import { GraphError } from '@microsoft/microsoft-graph-client'
import type { PerUserMfaState } from '@m365/contracts'
import {
  GraphRequestError, isPermissionDenied, PERMISSION_DENIED, perUserMfaState, RETRYABLE_STATUS, type GraphClient
} from '@m365/graph'

/** Graph's limit of requests in one JSON batch (spec §6). */
export const BATCH_SIZE = 20

interface BatchResponse { id: string, status: number, body?: { perUserMfaState?: unknown, error?: { code?: string, message?: string } } }

export type PerUserBatchResult = { denied: true } | { denied: false, states: Array<{ id: string, state: PerUserMfaState }> }

const known = (v: unknown): PerUserMfaState => v === 'disabled' || v === 'enabled' || v === 'enforced' ? v : 'unknown'

/**
 * The legacy per-user MFA state (beta /users/{id}/authentication/requirements) of up to 20 users in
 * one POST /beta/$batch (spec §4.2, §6). The envelope goes through the client's retry policy. Graph
 * throttles the items inside a batch one by one: those it throttled (429/503/504) or left out are read
 * again one at a time, each with the client's whole retry policy (Retry-After honoured). 404: the user
 * is gone (left out). 403 Authorization_RequestDenied: Policy.Read.All is missing, `{ denied: true }`.
 */
export async function perUserStatesBatch (client: GraphClient, ids: readonly string[], signal: AbortSignal): Promise<PerUserBatchResult> {
  if (ids.length > BATCH_SIZE) throw new RangeError(`at most ${BATCH_SIZE} users per batch`)
  signal.throwIfAborted()
  const states: Array<{ id: string, state: PerUserMfaState }> = []
  const unanswered = new Map(ids.map((id, i) => [String(i + 1), id]))
  const requests = [...unanswered].map(([key, id]) => ({ id: key, method: 'GET', url: `/users/${encodeURIComponent(id)}/authentication/requirements` }))
  const answer = await postBatch(client, requests)
  for (const item of answer.responses ?? []) {
    const id = unanswered.get(item.id)
    if (id === undefined || RETRYABLE_STATUS.has(item.status)) continue
    unanswered.delete(item.id)
    if (item.status === 200) states.push({ id, state: known(item.body?.perUserMfaState) })
    else if (item.status === 403 && item.body?.error?.code?.toLowerCase() === PERMISSION_DENIED.toLowerCase()) return { denied: true }
    else if (item.status !== 404) {
      throw new GraphRequestError({ status: item.status, code: item.body?.error?.code ?? `http_${item.status}`, message: item.body?.error?.message ?? `batch item answered HTTP ${item.status}` })
    }
  }
  for (const id of unanswered.values()) {
    try {
      states.push({ id, state: await perUserMfaState(client, id, { signal }) })
    } catch (err) {
      if (isPermissionDenied(err)) return { denied: true }
      if (!(err instanceof GraphRequestError && err.status === 404)) throw err
    }
  }
  return { denied: false, states }
}

async function postBatch (client: GraphClient, requests: unknown[]): Promise<{ responses?: BatchResponse[] }> {
  try {
    return await client.sdk.api('/$batch').version('beta').post({ requests }) as { responses?: BatchResponse[] }
  } catch (err) {
    if (err instanceof GraphRequestError) throw err
    if (err instanceof GraphError && err.statusCode > 0) {
      throw new GraphRequestError({ status: err.statusCode, code: err.code ?? `http_${err.statusCode}`, message: err.message, requestId: err.requestId, cause: err })
    }
    // no answer (timeout, reset) or no token: status 0, retried like any transport failure
    throw new GraphRequestError({ status: 0, code: 'network_error', message: (err as Error)?.message ?? String(err), cause: err })
  }
}
