import { consentThroughGateway, ok, waitFor, type Api, type Stack } from './helper.js'

/** A client, as MSP staff create it; tenant-auth learns of it from report's event before a tenant can be connected. */
export async function createClient (stack: Stack, name: string): Promise<string> {
  const client = ok(await stack.api().POST('/v1/clients', { body: { name } }), `create client ${name}`)
  await waitFor(async () => (await stack.api().GET('/v1/clients/{clientId}/tenants', { params: { path: { clientId: client.id } } })).response.status === 200,
    `tenant-auth knows client ${name}`)
  return client.id
}

/** A simulator tenant connected to the client the way people do it: connect, admin consent, callback through the gateway. */
export async function connectTenant (stack: Stack, clientId: string, tenant: { displayName: string, userCount: number }): Promise<string> {
  if (!stack.sim) throw new Error('the stack runs no simulator')
  const { tenantId } = stack.sim.admin.createTenant({ ...tenant, licenseTier: 'p1' })
  const started = ok(await stack.api().POST('/v1/clients/{clientId}/tenants/connect', { params: { path: { clientId } }, body: {} }), 'connect')
  const res = await consentThroughGateway(stack, started.consentUrl, tenantId)
  if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${await res.text()}`)
  await res.body?.cancel()
  return tenantId
}

/**
 * The tenant's first completed sync (the one its connection started). Polls past a 404: graph-sync
 * learns of the tenant from tenant-auth's event, a moment after the consent callback answered. And
 * past a 500: graph-sync answers 500 for a queued sync of mode auto (its sync_runs.mode holds 'auto'
 * until the attempt starts).
 */
export async function completedSync (api: Api, clientId: string, tenantId: string) {
  return await waitFor(async () => {
    const res = await api.GET('/v1/clients/{clientId}/tenants/{tenantId}/syncs', { params: { path: { clientId, tenantId } } })
    if (res.response.status === 404 || res.response.status === 500) return undefined
    const page = ok(res, 'syncs')
    const failed = page.items.find((run) => run.outcome === 'failed')
    if (failed) throw new Error(`sync ${failed.syncId} failed: ${failed.error}`)
    return page.items.find((run) => run.outcome === 'completed')
  }, `a completed sync of tenant ${tenantId}`, 90_000)
}

/** Report's read model has caught up with the sync: the client's users are listed. */
export async function usersListed (api: Api, clientId: string, atLeast: number) {
  return await waitFor(async () => {
    const page = ok(await api.GET('/v1/clients/{clientId}/office365/users', { params: { path: { clientId }, query: { limit: 500 } } }), 'users')
    return page.items.length >= atLeast ? page.items : undefined
  }, `${atLeast} users of client ${clientId} in report`, 60_000)
}

/** The version once it is built. */
export async function waitReady (api: Api, versionId: string) {
  return await waitFor(async () => {
    const current = ok(await api.GET('/v1/report-versions/{versionId}', { params: { path: { versionId } } }), 'version')
    if (current.status === 'failed') throw new Error(`version ${versionId} failed: ${current.error}`)
    return current.status === 'ready' ? current : undefined
  }, `version ${versionId} ready`, 60_000)
}

/** The report's next version, built. */
export async function readyVersion (api: Api, reportId: string) {
  const version = ok(await api.POST('/v1/reports/{reportId}/versions', { params: { path: { reportId } } }), 'create version')
  return await waitReady(api, version.id)
}

/** The rows route answers JSON or CSV; the JSON one, typed. */
export function json<T> (value: T | string): T {
  if (typeof value === 'string') throw new Error('expected JSON, got text')
  return value
}
