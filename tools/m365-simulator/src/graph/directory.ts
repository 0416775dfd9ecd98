import type { FastifyInstance } from 'fastify'
import { graphContext, requirePermission } from './context.js'
import { Errors } from './errors.js'
import { parseFilter } from './filter.js'
import { contextUrl, decodeToken, encodeToken, nextLinkFor, option, parseSelect, parseTop, project } from './odata.js'
import { odataPage, scanPage } from './paging.js'
import { CONTACT_DEFAULT, CONTACT_PROPS, USER_DEFAULT, USER_PROPS, graphContact, graphSkus, graphUser } from './shapes.js'

/** Deleted users, org contacts, the organization and its subscriptions. */
export default async function directoryRoutes (app: FastifyInstance) {
  app.get('/directory/deletedItems/microsoft.graph.user', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'users')
    const select = parseSelect(option(request, 'select'), USER_PROPS, 'user') ?? [...USER_DEFAULT, 'deletedDateTime']
    const filterRaw = option(request, 'filter')
    const filter = filterRaw ? parseFilter(filterRaw, USER_PROPS, 'user') : undefined
    const top = parseTop(option(request, 'top'), 100)
    const skip = option(request, 'skiptoken')
    const store = ctx.tenant.users
    const page = scanPage(skip ? decodeToken<{ t: string, p: number }>(skip, ctx.tenant.id).p : 0, store.binEnd, (q) => {
      const found = store.binAt(q)
      if (!found) return undefined
      const user = graphUser(found.entry.user, found.deletedDateTime)
      return !filter || filter.test(user) ? project(user, select) : undefined
    }, top)
    return odataPage(contextUrl(request, 'directory/deletedItems/microsoft.graph.user', option(request, 'select') ? select : undefined), page.items, {
      nextLink: page.next === undefined ? undefined : nextLinkFor(request, encodeToken({ t: ctx.tenant.id, p: page.next }))
    })
  })

  app.get('/directory/deletedItems', async (request) => {
    graphContext(request)
    throw Errors.badRequest('The type cast is required: use /directory/deletedItems/microsoft.graph.user (or another directory object type).')
  })

  app.get('/contacts', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'contacts')
    const select = parseSelect(option(request, 'select'), CONTACT_PROPS, 'orgContact')
    const filterRaw = option(request, 'filter')
    const filter = filterRaw ? parseFilter(filterRaw, CONTACT_PROPS, 'orgContact') : undefined
    const top = parseTop(option(request, 'top'), 100)
    const skip = option(request, 'skiptoken')
    const tenant = ctx.tenant
    const page = scanPage(skip ? decodeToken<{ t: string, p: number }>(skip, tenant.id).p : 0, tenant.contactCount, (i) => {
      const c = graphContact(tenant.contactAt(i))
      return !filter || filter.test(c) ? project(c, select ?? CONTACT_DEFAULT) : undefined
    }, top)
    return odataPage(contextUrl(request, 'contacts', select), page.items, {
      nextLink: page.next === undefined ? undefined : nextLinkFor(request, encodeToken({ t: tenant.id, p: page.next }))
    })
  })

  app.get('/organization', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'organization')
    const t = ctx.tenant
    const verifiedDomains = [{ capabilities: 'Email, OfficeCommunicationsOnline', isDefault: t.defaultDomain === t.initialDomain, isInitial: true, name: t.initialDomain, type: 'Managed' }]
    if (t.defaultDomain !== t.initialDomain) verifiedDomains.push({ capabilities: 'Email', isDefault: true, isInitial: false, name: t.defaultDomain, type: 'Managed' })
    return odataPage(contextUrl(request, 'organization'), [{
      id: t.id,
      deletedDateTime: null,
      businessPhones: [],
      city: null,
      country: null,
      countryLetterCode: 'US',
      createdDateTime: t.createdDateTime,
      displayName: t.displayName,
      onPremisesSyncEnabled: null,
      preferredLanguage: 'en',
      tenantType: 'AAD',
      assignedPlans: [],
      verifiedDomains
    }])
  })

  app.get('/subscribedSkus', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'organization')
    const known = new Set(['accountId', 'accountName', 'appliesTo', 'capabilityStatus', 'consumedUnits', 'id', 'skuId', 'skuPartNumber', 'subscriptionIds', 'prepaidUnits', 'servicePlans'])
    if (option(request, 'filter')) throw Errors.unsupportedQuery('$filter is not supported on subscribedSkus.')
    const select = parseSelect(option(request, 'select'), known, 'subscribedSku')
    const value = graphSkus(ctx.tenant).map((s) => (select ? project(s, select) : s))
    return odataPage(contextUrl(request, 'subscribedSkus', select), value)
  })
}
