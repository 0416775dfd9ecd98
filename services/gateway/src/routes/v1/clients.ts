import { ClientCreate, ClientPatch, O365UsersQuery, Page, PageQuery } from '@m365/api'
import { ref } from '../schemas.js'
import type { ForwardRoute } from '../forward.js'
import { ClientParams } from './params.js'

/** report: clients. A client token lists only its own client. */
export const clientRoutes: ForwardRoute[] = [
  { method: 'POST', url: '/clients', operationId: 'createClient', summary: 'Create a client', body: ClientCreate, responses: { 201: ref('Client') } },
  {
    method: 'GET',
    url: '/clients',
    operationId: 'listClients',
    summary: 'List clients by name (a client token: its own)',
    querystring: PageQuery,
    responses: { 200: Page(ref('Client')) }
  },
  {
    method: 'GET',
    url: '/clients/:clientId',
    operationId: 'getClient',
    summary: 'Get a client with its tenants and PSA companies',
    params: ClientParams,
    responses: { 200: ref('Client') }
  },
  {
    method: 'PATCH', url: '/clients/:clientId', operationId: 'updateClient', summary: 'Rename a client', params: ClientParams, body: ClientPatch, responses: { 200: ref('Client') }
  },
  {
    method: 'DELETE',
    url: '/clients/:clientId',
    operationId: 'deleteClient',
    summary: 'Delete a client with its reports, versions and O365/contact data',
    params: ClientParams,
    responses: { 204: null }
  }
]

/** report: the client's current Office 365 data (its read model of graph-sync's last complete snapshots). */
export const office365Routes: ForwardRoute[] = [
  {
    method: 'GET',
    url: '/clients/:clientId/office365/users',
    operationId: 'listOffice365Users',
    summary: "The client's current Office 365 users and org contacts, by name, filtered",
    description: 'Filters: mfaStatus, userType, objectType, accountEnabled, deleted, licence (or license: skuId or skuPartNumber, "none" for unlicensed), q. ' +
      'Who has not finished MFA setup: ?mfaStatus=Disabled&objectType=user&accountEnabled=true&deleted=false',
    params: ClientParams,
    querystring: O365UsersQuery,
    responses: { 200: Page(ref('O365User')) }
  },
  {
    method: 'GET',
    url: '/clients/:clientId/office365/licenses',
    operationId: 'listOffice365Licenses',
    summary: "The client's licenses per SKU: bought, assigned, available, held by disabled or deleted accounts",
    params: ClientParams,
    querystring: PageQuery,
    responses: { 200: Page(ref('LicenseSummary')) }
  }
]
