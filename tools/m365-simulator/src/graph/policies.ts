import type { FastifyInstance } from 'fastify'
import { graphContext, requirePermission } from './context.js'
import { Errors } from './errors.js'
import { contextUrl, option, parseTop } from './odata.js'
import { odataPage } from './paging.js'

/** Tenant-wide MFA policy (security defaults, Conditional Access) and the legacy per-user state (beta). */
export default async function policyRoutes (app: FastifyInstance, { beta }: { beta: boolean }) {
  app.get('/policies/identitySecurityDefaultsEnforcementPolicy', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'policies')
    return {
      '@odata.context': contextUrl(request, 'policies/identitySecurityDefaultsEnforcementPolicy/$entity'),
      id: '00000000-0000-0000-0000-000000000005',
      displayName: 'Security Defaults',
      description: 'Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.',
      isEnabled: ctx.tenant.securityDefaults
    }
  })

  app.get('/identity/conditionalAccess/policies', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'policies')
    const top = parseTop(option(request, 'top'), 999)
    const policies = ctx.tenant.conditionalAccess.slice(0, top).map((p) => ({
      createdDateTime: null, modifiedDateTime: null, sessionControls: null, templateId: null, ...p
    }))
    return odataPage(contextUrl(request, 'identity/conditionalAccess/policies'), policies)
  })

  if (!beta) return
  app.get<{ Params: { id: string } }>('/users/:id/authentication/requirements', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'perUserMfa')
    const found = ctx.tenant.users.findByKey(request.params.id)
    if (!found || found.state !== 'active') throw Errors.notFound(request.params.id)
    return {
      '@odata.context': contextUrl(request, `users('${found.entry.user.id}')/authentication/requirements/$entity`),
      perUserMfaState: found.entry.mfa.perUserMfaState
    }
  })
}
