import { randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface AadError { status: 400 | 401, error: string, code: number, description: string }

const stamp = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')

/** Entra's token-endpoint error body; msal-node maps error → errorCode and error_codes[0] → errorNo. */
export function sendAadError (request: FastifyRequest, reply: FastifyReply, e: AadError) {
  const traceId = randomUUID()
  const correlationId = correlationIdOf(request)
  const timestamp = stamp(new Date())
  const host = request.headers.host ?? 'login.microsoftonline.com'
  return reply.code(e.status).type('application/json; charset=utf-8').send({
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://${host}/error?code=${e.code}`
  })
}

export function correlationIdOf (request: FastifyRequest): string {
  const q = (request.query ?? {}) as Record<string, unknown>
  const fromQuery = typeof q['client-request-id'] === 'string' ? q['client-request-id'] : undefined
  const fromHeader = request.headers['client-request-id']
  return fromQuery ?? (typeof fromHeader === 'string' ? fromHeader : randomUUID())
}

export const AADSTS = {
  unknownTenant: (tenant: string): AadError => ({
    status: 400,
    error: 'invalid_request',
    code: 90002,
    description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`
  }),
  appNotInTenant: (clientId: string, tenantName: string): AadError => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    description: `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
  }),
  wrongSecret: (clientId: string): AadError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`
  }),
  expiredSecret: (clientId: string): AadError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000222,
    description: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`
  }),
  noCredential: (): AadError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
  }),
  badAssertion: (detail: string): AadError => ({ status: 401, error: 'invalid_client', code: 700027, description: detail }),
  assertionTime: (): AadError => ({ status: 401, error: 'invalid_client', code: 700024, description: 'Client assertion is not within its valid time range.' }),
  missingParameter: (name: string): AadError => ({
    status: 400, error: 'invalid_request', code: 900144, description: `The request body must contain the following parameter: '${name}'.`
  }),
  unsupportedGrant: (grant: string): AadError => ({
    status: 400, error: 'unsupported_grant_type', code: 70003, description: `The app requested an unsupported grant type '${grant}'.`
  }),
  invalidScope: (scope: string): AadError => ({
    status: 400,
    error: 'invalid_scope',
    code: 1002012,
    description: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
  }),
  unknownResource: (resource: string, tenantName: string): AadError => ({
    status: 400,
    error: 'invalid_resource',
    code: 500011,
    description: `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`
  })
}
