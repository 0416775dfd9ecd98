import type { FastifyInstance } from 'fastify'
import { graphContext, requirePermission, type GraphContext } from './context.js'
import { Errors } from './errors.js'
import { parseFilter } from './filter.js'
import { contextUrl, decodeToken, encodeToken, nextLinkFor, option, parseSelect, parseTop, pathVersion, project } from './odata.js'
import { odataPage, scanPage } from './paging.js'
import { REGISTRATION_PROPS, registrationRow } from './shapes.js'

const FRAGMENT = 'reports/authenticationMethods/userRegistrationDetails'

/**
 * Order matters and follows Graph: permission (AuditLog.Read.All), then the reports throttle
 * (5 requests / 10 s per app per tenant by default), then the licence check (P1/P2).
 */
function gate (ctx: GraphContext) {
  requirePermission(ctx, 'reports')
  const limit = ctx.tenant.reportThrottle
  if (limit) {
    const wait = ctx.tenant.reportWindow(ctx.clientId).hit(limit.requests, limit.windowSeconds * 1000)
    if (wait !== undefined) throw Errors.throttled(wait)
  }
  if (!ctx.tenant.isPremium) throw Errors.nonPremium()
}

export default async function reportRoutes (app: FastifyInstance) {
  app.get(`/${FRAGMENT}`, async (request) => {
    const ctx = graphContext(request)
    gate(ctx)
    const beta = pathVersion(request) === 'beta'
    const select = parseSelect(option(request, 'select'), REGISTRATION_PROPS, 'userRegistrationDetails')
    const filterRaw = option(request, 'filter')
    const filter = filterRaw ? parseFilter(filterRaw, REGISTRATION_PROPS, 'userRegistrationDetails') : undefined
    if (option(request, 'orderby')) throw Errors.unsupportedQuery('$orderby is not supported by the M365 simulator on this report.')
    const top = parseTop(option(request, 'top'), 999)
    const skip = option(request, 'skiptoken')
    const start = skip ? decodeToken<{ t: string, p: number }>(skip, ctx.tenant.id).p : 0
    const store = ctx.tenant.users
    const fallbackDate = ctx.tenant.createdDateTime
    const page = scanPage(start, store.end, (p) => {
      const entry = store.activeAt(p)
      const row = entry && registrationRow(entry, fallbackDate, beta)
      if (!row || (filter && !filter.test(row))) return undefined
      return select ? project(row, select) : row
    }, top)
    return odataPage(contextUrl(request, FRAGMENT, select), page.items, {
      nextLink: page.next === undefined ? undefined : nextLinkFor(request, encodeToken({ t: ctx.tenant.id, p: page.next }))
    })
  })

  app.get<{ Params: { id: string } }>(`/${FRAGMENT}/:id`, async (request) => {
    const ctx = graphContext(request)
    gate(ctx)
    const found = ctx.tenant.users.find(request.params.id)
    const row = found?.state === 'active' ? registrationRow(found.entry, ctx.tenant.createdDateTime, pathVersion(request) === 'beta') : undefined
    if (!row) throw Errors.notFound(request.params.id)
    return { '@odata.context': contextUrl(request, FRAGMENT) + '/$entity', ...row }
  })
}
