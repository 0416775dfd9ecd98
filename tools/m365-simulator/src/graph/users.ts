import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { GraphContext } from './context.js'
import { graphContext, requirePermission } from './context.js'
import { Errors } from './errors.js'
import { parseFilter, type ParsedFilter } from './filter.js'
import { contextUrl, decodeToken, encodeToken, hasEventualConsistency, nextLinkFor, option, parseSelect, parseTop, project } from './odata.js'
import { odataPage, scanPage } from './paging.js'
import { USER_DEFAULT, USER_PROPS, graphUser } from './shapes.js'

/** signInActivity needs AuditLog.Read.All and P1/P2 on top, and caps pages at 120 (spec §1). */
function signInRules (ctx: GraphContext, select: string[] | undefined, filterRaw: string | undefined) {
  const wanted = select?.includes('signInActivity') === true || /signInActivity/i.test(filterRaw ?? '')
  if (!wanted) return false
  requirePermission(ctx, 'reports')
  if (!ctx.tenant.isPremium) throw Errors.nonPremium()
  return true
}

function advancedQueryRules (request: FastifyRequest, filter: ParsedFilter | undefined) {
  const count = option(request, 'count')
  if (option(request, 'expand')) throw Errors.unsupportedQuery('$expand is not supported by the M365 simulator on users.')
  if (option(request, 'search') || option(request, 'orderby')) {
    throw Errors.unsupportedQuery('$search and $orderby are not supported by the M365 simulator on users.')
  }
  const advanced = count !== undefined || filter?.advanced === true
  if (advanced && !(hasEventualConsistency(request) && count === 'true')) {
    throw Errors.unsupportedQuery(filter?.advanced
      ? 'Unsupported or invalid query filter clause specified for resource \'User\'. Advanced queries need the ConsistencyLevel: eventual header and $count=true.'
      : '$count is only supported with the ConsistencyLevel: eventual header.')
  }
  return count === 'true'
}

export default async function userRoutes (app: FastifyInstance) {
  app.get('/users', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'users')
    const select = parseSelect(option(request, 'select'), USER_PROPS, 'user')
    const filterRaw = option(request, 'filter')
    const filter = filterRaw ? parseFilter(filterRaw, USER_PROPS, 'user') : undefined
    const wantCount = advancedQueryRules(request, filter)
    const capped = signInRules(ctx, select, filterRaw)
    const top = Math.min(parseTop(option(request, 'top'), 100), capped ? 120 : 999)
    const skip = option(request, 'skiptoken')
    const start = skip ? decodeToken<{ t: string, p: number }>(skip, ctx.tenant.id).p : 0

    const store = ctx.tenant.users
    const at = (p: number) => {
      const entry = store.activeAt(p)
      if (!entry) return undefined
      const user = graphUser(entry.user)
      return !filter || filter.test(user) ? project(user, select ?? USER_DEFAULT) : undefined
    }
    const page = scanPage(start, store.end, at, top)
    let count: number | undefined
    if (wantCount && !skip) count = filter ? scanPage(0, store.end, at, Infinity, Infinity).items.length : store.activeCount()
    return odataPage(contextUrl(request, 'users', select), page.items, {
      count,
      nextLink: page.next === undefined ? undefined : nextLinkFor(request, encodeToken({ t: ctx.tenant.id, p: page.next }))
    })
  })

  app.get<{ Params: { id: string } }>('/users/:id', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'users')
    const select = parseSelect(option(request, 'select'), USER_PROPS, 'user')
    signInRules(ctx, select, undefined)
    const found = ctx.tenant.users.findByKey(request.params.id)
    if (!found || found.state !== 'active') throw Errors.notFound(request.params.id)
    return {
      '@odata.context': contextUrl(request, 'users', select) + '/$entity',
      ...project(graphUser(found.entry.user), select ?? USER_DEFAULT)
    }
  })
}
