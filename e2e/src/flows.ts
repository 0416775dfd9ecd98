import { Agent, request } from 'undici'
import { ApiError, listAll, type Api } from './api.js'
import type { Stack } from './stack.js'
import { GiveUp, waitFor } from './wait.js'

/** Steps an MSP takes through the public API (the gateway), each waiting for the system to converge. */

export interface SyncRun {
  syncId: string
  tenantId: string
  phase: string
  outcome: 'completed' | 'failed' | null
  attempts: number
  progress: { pages: number, usersProcessed: number, perUserMfaRead: number }
  counts: Record<string, number> | null
  error: string | null
}

export interface Version {
  id: string
  reportId: string
  number: number
  status: 'building' | 'ready' | 'failed'
  rowCount: number | null
  error: string | null
  mergeStats: Record<string, unknown> | null
  mfaSummary: Record<string, unknown> | null
  licenseSummary: Array<Record<string, unknown>> | null
  source: { tenants: Array<{ tenantId: string, syncId: string | null }>, contacts: { count: number } } | null
}

export interface Row { rowNumber: number, values: Record<string, unknown> }

const notFound = (err: unknown) => err instanceof ApiError && err.status === 404

/** A client (report owns it); ready once tenant-auth has learnt of it from report's client.created. */
export async function createClient (api: Api, name: string): Promise<string> {
  const { id } = await api.post<{ id: string }>('/v1/clients', { name })
  await waitFor(`tenant-auth to know client ${name}`, async () => {
    try {
      await api.get(`/v1/clients/${id}/tenants`)
      return true
    } catch (err) {
      if (notFound(err)) return undefined
      throw err
    }
  })
  return id
}

/**
 * Connects a simulator tenant as people do: start through the gateway, the tenant's admin approves
 * on the consent page (the simulator takes the decision as `sim_tenant`/`sim_decision`), the
 * browser follows the redirect to the gateway's callback. Returns the callback's JSON.
 */
export async function connectTenant (stack: Stack, clientId: string, tenantId: string): Promise<{ tenantId: string }> {
  const { consentUrl } = await stack.api.post<{ consentUrl: string }>(`/v1/clients/${clientId}/tenants/connect`, { tenantId })
  const approve = new URL(consentUrl)
  approve.searchParams.set('sim_tenant', tenantId)
  approve.searchParams.set('sim_decision', 'approve')
  const dispatcher = new Agent({ connect: { ca: stack.sims.m365.caPem } })
  let location: string
  try {
    // undici's request follows no redirect: the 302 is what the browser would follow
    const consent = await request(approve, { dispatcher })
    await consent.body.dump()
    const header = consent.headers.location
    if (consent.statusCode !== 302 || typeof header !== 'string') throw new Error(`admin consent answered ${consent.statusCode} without a redirect`)
    location = header
  } finally {
    await dispatcher.close()
  }
  const callback = new URL(location)
  if (`${callback.origin}${callback.pathname}` !== `${stack.url}/v1/connect/callback`) throw new Error(`consent redirected to ${location}, not the gateway's callback`)
  const res = await fetch(callback, { headers: { accept: 'application/json' } })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`the consent callback answered ${res.status}: ${text}`)
  return JSON.parse(text) as { tenantId: string }
}

/** A sync run once it has an outcome; a failure stops the wait at once. */
export async function finishedSync (api: Api, syncId: string, timeoutMs = 120_000): Promise<SyncRun> {
  return await waitFor(`sync ${syncId} to finish`, async () => {
    const run = await api.get<SyncRun>(`/v1/syncs/${syncId}`)
    if (run.outcome === 'failed') throw new GiveUp(new Error(`sync ${syncId} failed: ${run.error ?? 'no reason given'}`))
    return run.outcome === 'completed' ? run : undefined
  }, timeoutMs)
}

/** The tenant's first sync (the one tenant.connected started), completed. */
export async function firstSync (api: Api, clientId: string, tenantId: string, timeoutMs = 120_000): Promise<SyncRun> {
  const first = await waitFor(`the first sync of tenant ${tenantId} to be queued`, async () => {
    try {
      const runs = await listAll<SyncRun>(api, `/v1/clients/${clientId}/tenants/${tenantId}/syncs`)
      return runs.at(-1)
    } catch (err) {
      if (notFound(err)) return undefined // graph-sync has not consumed tenant.connected yet
      throw err
    }
  })
  return await finishedSync(api, first.syncId, timeoutMs)
}

/** The client's users as report holds them, once `check` accepts the list. */
export async function usersInReport<T> (api: Api, clientId: string, what: string, check: (users: Array<Record<string, unknown>>) => T | undefined, timeoutMs = 60_000): Promise<T> {
  return await waitFor(`report to hold ${what}`, async () => check(await listAll(api, `/v1/clients/${clientId}/office365/users`)), timeoutMs)
}

export interface PsaConnection { id: string, webhookPath: string }

/** A PSA connection to the simulator with its API credentials (and a webhook secret for Autotask). */
export async function connectPsa (stack: Stack, psa: 'connectwise' | 'autotask', webhookSecret?: string): Promise<PsaConnection> {
  const { baseUrl, ...credentials } = stack.sims.psa.clientOptions[psa] as unknown as { baseUrl: string } & Record<string, string>
  return await stack.api.post<PsaConnection>('/v1/psa-connections', {
    psa, name: `${psa} (simulator)`, baseUrl, credentials, ...(webhookSecret ? { webhookSecret } : {})
  })
}

export async function mapCompanies (api: Api, connectionId: string, companies: Array<{ companyExternalId: string, clientId: string }>): Promise<void> {
  await api.put(`/v1/psa-connections/${connectionId}/companies`, { companies })
}

/** A backfill of the connection, completed. */
export async function backfill (api: Api, connectionId: string): Promise<Record<string, unknown>> {
  const run = await api.post<{ id: string }>(`/v1/psa-connections/${connectionId}/backfill`)
  return await waitFor(`backfill ${run.id}`, async () => {
    const state = await api.get<{ status: string, error: string | null }>(`/v1/psa-connections/${connectionId}/backfills/${run.id}`)
    if (state.status === 'failed') throw new GiveUp(new Error(`backfill failed: ${state.error ?? 'no reason given'}`))
    return state.status === 'completed' ? state : undefined
  }, 60_000)
}

export async function createReport (api: Api, clientId: string, name: string, templateId?: string): Promise<string> {
  const { id } = await api.post<{ id: string }>(`/v1/clients/${clientId}/reports`, { name, ...(templateId ? { templateId } : {}) })
  return id
}

/** A version once it is ready (a failed one stops the wait). */
export async function readyVersion (api: Api, versionId: string, timeoutMs = 120_000): Promise<Version> {
  return await waitFor(`version ${versionId} to be ready`, async () => {
    const v = await api.get<Version>(`/v1/report-versions/${versionId}`)
    if (v.status === 'failed') throw new GiveUp(new Error(`version ${versionId} failed: ${v.error ?? 'no reason given'}`))
    return v.status === 'ready' ? v : undefined
  }, timeoutMs)
}

/** POST a version and wait until it is built. */
export async function buildVersion (api: Api, reportId: string): Promise<Version> {
  const created = await api.post<Version>(`/v1/reports/${reportId}/versions`)
  return await readyVersion(api, created.id)
}

/** Every row of a version, JSON pages followed to the end. */
export async function versionRows (api: Api, versionId: string): Promise<Row[]> {
  return await listAll<Row>(api, `/v1/report-versions/${versionId}/rows`)
}
