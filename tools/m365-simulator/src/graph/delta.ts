import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Tenant } from '../tenant.js'
import type { ChangeEntry } from '../overlay.js'
import type { UserRecord } from '../types.js'
import { graphContext, requirePermission } from './context.js'
import { Errors, GraphError } from './errors.js'
import { parseFilter } from './filter.js'
import { baseOf, contextUrl, decodeToken, encodeToken, maxPageSize, option, parseSelect, pathVersion, prefers, project } from './odata.js'
import { odataPage, scanPage } from './paging.js'
import { USER_DEFAULT, USER_PROPS, graphUser } from './shapes.js'

const TOKEN_LIFETIME_MS = 7 * 86_400_000

/** What a delta token remembers: the round's query options and where in the change log it stands. */
interface DeltaState {
  t: string
  /** tenant delta generation the token was issued in */
  g: number
  /** issue time (simulator clock): tokens live 7 days */
  at: number
  sel?: string[]
  ids?: string[]
  /** initial round: next listing position; change round: next change-log index */
  ph: 'i' | 'c' | 'd'
  p: number
  /** change round: changes after seq s up to seq e */
  s: number
  e: number
}

function checkAlive (tenant: Tenant, st: DeltaState, now: number, request: FastifyRequest) {
  const how = st.g < tenant.deltaGeneration ? (tenant.expiredGenerations.get(st.g) ?? 'syncStateNotFound') : now - st.at > TOKEN_LIFETIME_MS ? 'syncStateNotFound' : undefined
  if (how === 'syncStateNotFound') {
    throw new GraphError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.')
  }
  if (how === 'resyncRequired410') {
    const restart = new URL(`${baseOf(request)}/${pathVersion(request)}/users/delta`)
    if (st.sel) restart.searchParams.set('$select', st.sel.join(','))
    restart.searchParams.set('$deltatoken', '')
    throw new GraphError(410, 'resyncRequired', 'Resync required. The delta token is no longer valid, app must reset the sync state.',
      { location: restart.toString().replace(/%24/g, '$').replace(/%2C/gi, ',') })
  }
}

/**
 * GET /users/delta: an initial round lists every user (nextLinks, then a deltaLink at the change-log
 * sequence the round started at); later rounds replay the log: changed users in full (or only the
 * changed properties with Prefer: return=minimal), soft-deleted as @removed changed, purged as deleted.
 */
export default async function deltaRoutes (app: FastifyInstance, { now }: { now: () => number }) {
  app.get('/users/delta', async (request) => {
    const ctx = graphContext(request)
    requirePermission(ctx, 'users')
    const tenant = ctx.tenant
    const store = tenant.users
    for (const o of ['top', 'orderby', 'expand']) if (option(request, o) !== undefined) throw Errors.unsupportedQuery(`Query option '$${o}' is not supported on delta queries for users.`)
    const skip = option(request, 'skiptoken')
    const delta = option(request, 'deltatoken') ?? option(request, 'deltaToken')
    const version = pathVersion(request)
    const link = (kind: 'skiptoken' | 'deltatoken', st: DeltaState) => `${baseOf(request)}/${version}/users/delta?$${kind}=${encodeToken({ ...st })}`

    let st: DeltaState
    if (skip || (delta && delta !== 'latest')) {
      st = decodeToken<DeltaState>((skip ?? delta)!, tenant.id)
      checkAlive(tenant, st, now(), request)
      if (!skip) st = { ...st, ph: 'c', p: st.s, e: store.seq } // a deltaLink starts a change round up to now
    } else {
      const sel = parseSelect(option(request, 'select'), USER_PROPS, 'user')
      const filterRaw = option(request, 'filter')
      const ids = filterRaw ? parseFilter(filterRaw, USER_PROPS, 'user').idsOnly : undefined
      if (filterRaw && (!ids || ids.length > 50)) throw Errors.unsupportedQuery('Delta on users only supports $filter on id (up to 50 ids joined with or).')
      st = { t: tenant.id, g: tenant.deltaGeneration, at: now(), ph: 'i', p: 0, s: store.seq, e: store.seq, ...(sel ? { sel } : {}), ...(ids ? { ids } : {}) }
      if (delta === 'latest') return odataPage(contextUrl(request, 'users', sel), [], { deltaLink: link('deltatoken', { ...st, ph: 'd' }) })
    }

    const select = st.sel ?? [...USER_DEFAULT]
    const pageSize = maxPageSize(request, 200)
    const minimal = prefers(request, 'return=minimal')
    const wanted = st.ids ? new Set(st.ids) : undefined
    let page: { items: Array<Record<string, unknown>>, next: number | undefined }
    if (st.ph === 'i') {
      const listing = wanted ? st.ids! : undefined
      const at = listing
        ? (p: number) => { const f = store.find(listing[p]!); return f?.state === 'active' ? withId(f.entry.user, select) : undefined }
        : (p: number) => { const e = store.activeAt(p); return e ? withId(e.user, select) : undefined }
      page = scanPage(st.p, listing ? listing.length : store.end, at, pageSize)
    } else {
      const at = (p: number) => changeItem(store.log[p]!, tenant, select, st.sel !== undefined, minimal, wanted)
      page = scanPage(st.p, st.e, at, pageSize)
    }
    const context = contextUrl(request, 'users', st.sel)
    if (page.next !== undefined) return odataPage(context, page.items, { nextLink: link('skiptoken', { ...st, p: page.next }) })
    const done: DeltaState = { ...st, ph: 'd', at: now(), p: 0, s: st.e, e: st.e }
    return odataPage(context, page.items, { deltaLink: link('deltatoken', done) })
  })
}

/** Delta entries always carry the id, whatever $select says. */
const withId = (user: UserRecord, select: string[]) => ({ ...project(graphUser(user), select), id: user.id })

function changeItem (change: ChangeEntry, tenant: Tenant, select: string[], selected: boolean, minimal: boolean, wanted?: Set<string>) {
  if (wanted && !wanted.has(change.id)) return undefined
  const found = tenant.users.find(change.id)
  if (!found) return { id: change.id, '@removed': { reason: 'deleted' } }
  if (found.state === 'softDeleted') return { id: change.id, '@removed': { reason: 'changed' } }
  // Only selected properties are tracked: a change to anything else does not surface the user.
  if (change.op === 'upsert' && change.props && selected && !change.props.some((p) => select.includes(p))) return undefined
  if (minimal && change.op === 'upsert' && change.props) {
    return { id: change.id, ...project(graphUser(found.entry.user), change.props.filter((p) => select.includes(p))) }
  }
  return withId(found.entry.user, select)
}
