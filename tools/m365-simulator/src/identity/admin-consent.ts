import type { FastifyInstance, FastifyReply } from 'fastify'
import type { SimulatorState } from '../state.js'

interface ConsentQuery {
  client_id?: string
  redirect_uri?: string
  state?: string
  scope?: string
  sim_tenant?: string
  sim_decision?: 'approve' | 'deny' | 'cancel'
}

const MULTI = new Set(['common', 'organizations'])

/** Where a real admin would see an error page: the simulator answers 400 with the AADSTS text. */
const errorPage = (reply: FastifyReply, code: number, message: string) =>
  reply.code(400).type('text/plain; charset=utf-8').send(`AADSTS${code}: ${message}`)

/**
 * GET /{tenant|common|organizations}[/v2.0]/adminconsent. No one signs in: the caller appends
 * sim_tenant (the tenant whose admin "signs in"; defaults to the path tenant) and sim_decision
 * (approve | deny | cancel; default approve), and gets Entra's redirect back.
 */
export default async function adminConsentRoutes (app: FastifyInstance, { state }: { state: SimulatorState }) {
  const handler = (v2: boolean) => async (request: { params: { tenant: string }, query: ConsentQuery }, reply: FastifyReply) => {
    const q = request.query
    const appReg = q.client_id ? state.apps.get(q.client_id.toLowerCase()) : undefined
    if (!q.client_id || !appReg) {
      return errorPage(reply, 700016, `Application with identifier '${q.client_id ?? ''}' was not found in the directory.`)
    }
    if (!q.redirect_uri) return errorPage(reply, 900144, "The request body must contain the following parameter: 'redirect_uri'.")
    if (appReg.redirectUris && !appReg.redirectUris.some((u) => v2 ? q.redirect_uri === u : q.redirect_uri!.startsWith(u))) {
      return errorPage(reply, 50011, `The redirect URI '${q.redirect_uri}' specified in the request does not match the redirect URIs configured for the application '${appReg.clientId}'.`)
    }
    if (v2 && q.scope && !q.scope.split(' ').every((s) => s.endsWith('/.default'))) {
      return errorPage(reply, 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${q.scope} is not valid.`)
    }
    const pathTenant = request.params.tenant
    const tenantKey = q.sim_tenant ?? (MULTI.has(pathTenant.toLowerCase()) ? undefined : pathTenant)
    if (!tenantKey) return errorPage(reply, 90002, 'No tenant: with /common or /organizations add sim_tenant=<tenantId> (the simulator\'s stand-in for the admin signing in).')
    const tenant = state.resolveTenant(tenantKey)
    if (!tenant) return errorPage(reply, 90002, `Tenant '${tenantKey}' not found.`)

    const target = new URL(q.redirect_uri)
    const put = (k: string, v: string | undefined) => { if (v !== undefined) target.searchParams.set(k, v) }
    const decision = q.sim_decision ?? 'approve'
    if (decision === 'approve') {
      tenant.consents.set(appReg.clientId, new Set(appReg.permissions))
      put('admin_consent', 'True')
      put('tenant', tenant.id)
      put('state', q.state)
      if (v2) put('scope', q.scope ?? 'https://graph.microsoft.com/.default')
    } else if (decision === 'cancel') {
      put('error', 'permission_denied')
      put('error_description', 'The admin canceled the request')
    } else {
      put('error', 'access_denied')
      put('error_description', 'AADSTS65004: User declined to consent to access the app.')
      put('state', q.state)
    }
    return reply.redirect(target.toString(), 302)
  }
  app.get<{ Params: { tenant: string }, Querystring: ConsentQuery }>('/:tenant/adminconsent', handler(false))
  app.get<{ Params: { tenant: string }, Querystring: ConsentQuery }>('/:tenant/v2.0/adminconsent', handler(true))
}
