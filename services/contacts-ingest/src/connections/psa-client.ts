import type { PsaCredentials } from '@m365/api'
import {
  createAutotaskClient, createConnectWiseClient, createHaloClient, type HttpOptions, type PsaContactClient
} from '@m365/psa'
import type { PsaType } from '../db/schema.js'

export interface ApiAccess { id: string, psa: PsaType, baseUrl: string, credentials: PsaCredentials }

/** A REST client of @m365/psa for a connection (paging, retry with backoff honouring Retry-After). */
export function createPsaClient (access: ApiAccess, http: HttpOptions): PsaContactClient {
  const c = access.credentials
  const req = (value: string | undefined) => value ?? ''
  switch (access.psa) {
    case 'connectwise':
      return createConnectWiseClient({
        ...http,
        baseUrl: access.baseUrl,
        companyId: req(c.companyId),
        publicKey: req(c.publicKey),
        privateKey: req(c.privateKey),
        clientId: req(c.clientId),
        tenantKey: access.id
      })
    case 'autotask':
      return createAutotaskClient({
        ...http,
        baseUrl: access.baseUrl,
        integrationCode: req(c.integrationCode),
        username: req(c.username),
        secret: req(c.secret),
        ...(c.impersonationResourceId === undefined ? {} : { impersonationResourceId: c.impersonationResourceId }),
        tenantKey: access.id
      })
    case 'halopsa':
      return createHaloClient({
        ...http,
        baseUrl: access.baseUrl,
        clientId: req(c.clientId),
        clientSecret: req(c.clientSecret),
        ...(c.tenant === undefined ? {} : { tenant: c.tenant }),
        ...(c.scope === undefined ? {} : { scope: c.scope }),
        ...(c.authUrl === undefined ? {} : { authUrl: c.authUrl }),
        tenantKey: access.id
      })
  }
}
