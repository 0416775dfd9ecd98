import {
  Page, TenantConnectBody, TenantConnectStarted, TenantCredentialsBody, TenantCredentialSummary, TenantListQuery, TenantParams
} from '@m365/api'
import { ref } from '../schemas.js'
import type { ForwardRoute } from '../forward.js'
import { ClientParams } from './params.js'

/** tenant-auth: a client's Microsoft 365 tenant connections. */
export const tenantRoutes: ForwardRoute[] = [
  {
    method: 'GET',
    url: '/clients/:clientId/tenants',
    operationId: 'listTenants',
    summary: "List the client's Microsoft 365 tenants with their connection status and last sync",
    params: ClientParams,
    querystring: TenantListQuery,
    responses: { 200: Page(ref('Tenant')) }
  },
  {
    method: 'POST',
    url: '/clients/:clientId/tenants/connect',
    operationId: 'connectTenant',
    summary: 'Start connecting a Microsoft 365 tenant: the admin-consent URL to open (valid 10 minutes, usable once)',
    params: ClientParams,
    body: TenantConnectBody,
    optionalBody: true,
    responses: { 201: TenantConnectStarted },
    problems: [409]
  },
  {
    method: 'GET',
    url: '/clients/:clientId/tenants/:tenantId',
    operationId: 'getTenant',
    summary: 'Get one tenant connection',
    params: TenantParams,
    responses: { 200: ref('Tenant') }
  },
  {
    method: 'DELETE',
    url: '/clients/:clientId/tenants/:tenantId',
    operationId: 'disconnectTenant',
    summary: 'Disconnect a tenant: no more tokens for it; its data stays until the client is deleted',
    params: TenantParams,
    responses: { 204: null }
  },
  {
    method: 'PUT',
    url: '/clients/:clientId/tenants/:tenantId/credentials',
    operationId: 'putTenantCredentials',
    summary: "Use the tenant's own app registration: checked with Microsoft, stored encrypted, connects the tenant",
    params: TenantParams,
    body: TenantCredentialsBody,
    responses: { 200: TenantCredentialSummary },
    problems: [409, 422]
  }
]
