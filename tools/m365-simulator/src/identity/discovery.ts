import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SimulatorState } from '../state.js'
import { AADSTS, sendAadError } from './errors.js'

const MULTI = new Set(['common', 'organizations', 'consumers'])
export const baseUrlOf = (request: FastifyRequest) => `https://${request.headers.host ?? '127.0.0.1'}`

/** OpenID metadata, instance discovery and signing keys: what msal-node reads before the token POST. */
export default async function discoveryRoutes (app: FastifyInstance, { state }: { state: SimulatorState }) {
  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (request, reply) => {
    const { tenant } = request.params
    const base = baseUrlOf(request)
    const multi = MULTI.has(tenant.toLowerCase())
    const found = multi ? undefined : state.resolveTenant(tenant)
    if (!multi && !found) {
      return sendAadError(request, reply, { ...AADSTS.unknownTenant(tenant), error: 'invalid_tenant' })
    }
    const seg = found ? found.id : tenant
    const issuerTenant = found ? found.id : '{tenantid}'
    return {
      token_endpoint: `${base}/${seg}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${seg}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/${seg}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${seg}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${seg}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid', 'roles'],
      kerberos_endpoint: `${base}/${seg}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net'
    }
  })

  // msal only asks for this when the authority is not in knownAuthorities; answer like Entra would.
  app.get('/common/discovery/instance', async (request) => {
    const host = request.headers.host ?? '127.0.0.1'
    return {
      tenant_discovery_endpoint: `https://${host}/{tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
    }
  })

  const keys = async () => ({ keys: [{ ...state.signing.jwk, x5t: state.signing.kid, issuer: 'https://sts.windows.net/{tenantid}/' }] })
  app.get('/:tenant/discovery/v2.0/keys', keys)
  app.get('/:tenant/discovery/keys', keys)
}
