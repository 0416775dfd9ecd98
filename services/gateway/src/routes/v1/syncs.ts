import { Page, PageQuery, SyncAccepted, SyncParams, SyncStart, TenantParams } from '@m365/api'
import { ref } from '../schemas.js'
import type { ForwardRoute } from '../forward.js'

/** graph-sync: sync runs of a tenant. */
export const syncRoutes: ForwardRoute[] = [
  {
    method: 'POST',
    url: '/clients/:clientId/tenants/:tenantId/sync',
    operationId: 'startSync',
    summary: 'Start a sync of a tenant now',
    description: 'Queues a sync job and answers 202 with its id; follow it with GET /v1/syncs/{syncId}. ' +
      '`auto` (the default) runs a delta sync when the tenant has a snapshot to continue from, else a full one.',
    params: TenantParams,
    body: SyncStart,
    optionalBody: true,
    responses: { 202: SyncAccepted },
    problems: [409]
  },
  {
    method: 'GET',
    url: '/clients/:clientId/tenants/:tenantId/syncs',
    operationId: 'listSyncs',
    summary: "A tenant's sync history, newest first",
    params: TenantParams,
    querystring: PageQuery,
    responses: { 200: Page(ref('SyncRun')) }
  },
  {
    method: 'GET',
    url: '/syncs/:syncId',
    operationId: 'getSync',
    summary: 'A sync run: phase, progress, outcome, error, timestamps',
    params: SyncParams,
    responses: { 200: ref('SyncRun') }
  }
]
