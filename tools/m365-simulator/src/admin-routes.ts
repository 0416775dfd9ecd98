import type { FastifyInstance } from 'fastify'
import type { SimulatorAdmin } from './admin.js'
import { SimulatorError } from './errors.js'

type P = { tenantId: string, id: string, clientId: string }
type B = Record<string, unknown>

/**
 * The admin API over HTTP (prefix /_admin), one route per SimulatorAdmin operation, JSON in and out.
 * Errors: { error: { code, message } } with 400/404/409. No auth: the simulator is a test tool.
 */
export default async function adminRoutes (app: FastifyInstance, { admin }: { admin: SimulatorAdmin }) {
  app.setErrorHandler((err, _request, reply) => {
    const status = err instanceof SimulatorError ? err.statusCode : ((err as { statusCode?: number }).statusCode ?? 500)
    return reply.code(status).send({ error: { code: status === 404 ? 'NotFound' : status === 409 ? 'Conflict' : status >= 500 ? 'InternalError' : 'BadRequest', message: (err as Error).message } })
  })
  const ok = { ok: true }

  app.post<{ Body: B }>('/apps', async (r) => admin.registerApp(r.body as never))
  app.get('/tenants', async () => admin.listTenants())
  app.post<{ Body: B }>('/tenants', async (r, reply) => reply.code(201).send(admin.createTenant(r.body as never)))
  app.delete<{ Params: P }>('/tenants/:tenantId', async (r) => { admin.deleteTenant(r.params.tenantId); return ok })
  app.get('/demo', async () => admin.demoTenants().map(({ input: _input, ...t }) => t))
  app.post('/reset', async () => { admin.reset(); return ok })
  app.post<{ Body: { seconds: number } }>('/clock', async (r) => { admin.advanceClock(Number(r.body?.seconds)); return ok })

  app.put<{ Params: P, Body: { permissions?: string[] } }>('/tenants/:tenantId/consents/:clientId', async (r) => {
    admin.grantConsent(r.params.tenantId, r.params.clientId, r.body?.permissions)
    return ok
  })
  app.delete<{ Params: P }>('/tenants/:tenantId/consents/:clientId', async (r) => { admin.revokeConsent(r.params.tenantId, r.params.clientId); return ok })
  app.put<{ Params: P, Body: { permissions: string[] } }>('/tenants/:tenantId/consents/:clientId/permissions', async (r) => {
    admin.setPermissions(r.params.tenantId, r.params.clientId, r.body?.permissions ?? [])
    return ok
  })

  app.post<{ Params: P, Body: B }>('/tenants/:tenantId/users', async (r, reply) => reply.code(201).send(admin.addUser(r.params.tenantId, r.body as never)))
  app.get<{ Params: P }>('/tenants/:tenantId/users/:id', async (r, reply) => {
    const user = admin.getUser(r.params.tenantId, r.params.id)
    return user ?? reply.code(404).send({ error: { code: 'NotFound', message: `user ${r.params.id} not found` } })
  })
  app.patch<{ Params: P, Body: B }>('/tenants/:tenantId/users/:id', async (r) => admin.updateUser(r.params.tenantId, r.params.id, r.body as never))
  app.delete<{ Params: P, Querystring: { hard?: string } }>('/tenants/:tenantId/users/:id', async (r) => {
    if (r.query.hard === 'true') admin.hardDeleteUser(r.params.tenantId, r.params.id)
    else admin.deleteUser(r.params.tenantId, r.params.id)
    return ok
  })
  app.post<{ Params: P }>('/tenants/:tenantId/users/:id/restore', async (r) => admin.restoreUser(r.params.tenantId, r.params.id))
  app.put<{ Params: P, Body: B | null }>('/tenants/:tenantId/users/:id/registration', async (r) => {
    admin.setRegistration(r.params.tenantId, r.params.id, (r.body as never) ?? null)
    return ok
  })
  app.put<{ Params: P, Body: { state: 'disabled' } }>('/tenants/:tenantId/users/:id/perUserMfa', async (r) => {
    admin.setPerUserMfa(r.params.tenantId, r.params.id, r.body?.state)
    return ok
  })
  app.post<{ Params: P, Body: B }>('/tenants/:tenantId/users/:id/assignLicense', async (r) => admin.assignLicense(r.params.tenantId, r.params.id, r.body as never))

  const put = (path: string, key: string, apply: (tenantId: string, v: never) => void) =>
    app.put<{ Params: P, Body: B }>(`/tenants/:tenantId/${path}`, async (r) => { apply(r.params.tenantId, r.body?.[key] as never); return ok })
  put('licenseTier', 'tier', admin.setLicenseTier)
  put('skus', 'skus', admin.setSkus)
  put('securityDefaults', 'enabled', admin.setSecurityDefaults)
  put('conditionalAccess', 'policies', admin.setConditionalAccess)
  put('reportThrottle', 'limit', admin.setReportThrottle)
  put('faults', 'faults', admin.setFaults)
  app.post<{ Params: P, Body: { how: 'syncStateNotFound' } }>('/tenants/:tenantId/expireDeltaTokens', async (r) => {
    admin.expireDeltaTokens(r.params.tenantId, r.body?.how)
    return ok
  })
  app.get<{ Params: P }>('/tenants/:tenantId/stats', async (r) => admin.stats(r.params.tenantId))
}
