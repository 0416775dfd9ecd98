import type { FastifyInstance } from 'fastify'
import type { SimulatorState } from '../state.js'
import { issueAppToken } from './access-token.js'
import { checkClientAssertion } from './client-assertion.js'
import { AADSTS, sendAadError, type AadError } from './errors.js'

const GRAPH_RESOURCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000'])
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** POST /{tenant}/oauth2/v2.0/token, client_credentials only, with Entra's AADSTS errors. */
export default async function tokenRoutes (app: FastifyInstance, { state }: { state: SimulatorState }) {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  app.post<{ Params: { tenant: string }, Body: Record<string, string> }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    const body = request.body ?? {}
    const fail = (e: AadError) => sendAadError(request, reply, e)
    const grant = body.grant_type
    if (!grant) return fail(AADSTS.missingParameter('grant_type'))
    if (grant !== 'client_credentials') return fail(AADSTS.unsupportedGrant(grant))

    const tenant = state.resolveTenant(request.params.tenant)
    if (!tenant) return fail(AADSTS.unknownTenant(request.params.tenant))
    const clientId = body.client_id?.toLowerCase()
    if (!clientId) return fail(AADSTS.missingParameter('client_id'))

    const scopes = (body.scope ?? '').split(' ').filter((s) => s && !OIDC_SCOPES.has(s))
    if (scopes.length === 0) return fail(AADSTS.missingParameter('scope'))
    const scope = scopes[0]!
    if (scopes.length > 1 || !scope.endsWith('/.default')) return fail(AADSTS.invalidScope(scopes.join(' ')))
    const resource = scope.slice(0, -'/.default'.length)
    if (!GRAPH_RESOURCES.has(resource)) return fail(AADSTS.unknownResource(resource, tenant.displayName))

    // A multi-tenant app is only known to a tenant once an admin consented (its service principal exists).
    const registration = state.apps.get(clientId)
    const granted = tenant.consents.get(clientId)
    if (!registration || !granted) return fail(AADSTS.appNotInTenant(body.client_id!, tenant.displayName))

    let certificate = false
    if (body.client_assertion) {
      if (body.client_assertion_type !== JWT_BEARER) return fail(AADSTS.missingParameter('client_assertion_type'))
      const problem = await checkClientAssertion(registration, body.client_assertion, state.now())
      if (problem) return fail(problem)
      certificate = true
    } else if (body.client_secret !== undefined) {
      if (registration.clientSecret === undefined || body.client_secret !== registration.clientSecret) return fail(AADSTS.wrongSecret(clientId))
      if (registration.secretExpiresAt !== undefined && state.now() > registration.secretExpiresAt) return fail(AADSTS.expiredSecret(clientId))
    } else {
      return fail(AADSTS.noCredential())
    }

    const { token, expiresIn } = await issueAppToken(state.signing, {
      tenantId: tenant.id,
      clientId,
      appDisplayName: registration.displayName,
      roles: [...granted],
      nowMs: state.now(),
      lifetimeSeconds: state.tokenLifetimeSeconds,
      certificate
    })
    tenant.stats.token(clientId)
    reply.header('cache-control', 'no-store, no-cache').header('pragma', 'no-cache')
    return { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token }
  })
}
