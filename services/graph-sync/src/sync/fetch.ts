import { sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import {
  conditionalAccessPolicies, deletedUsersPages, deltaPages, fetchSubscribedSkus, GraphRequestError, isPermissionDenied,
  isPremiumRequired, orgContactsPages, registrationDetailsPages, registrationUnavailableReason, securityDefaults,
  toUserDelta, USER_SELECT, usersPages, type ConditionalAccessPolicy, type GraphClient, type ODataPage,
  type RegistrationUnavailableReason
} from '@m365/graph'
import {
  PerUserReadAhead, PER_USER_UNAVAILABLE, probePerUserStates, readPerUserStates, type PerUserOutcome, type PerUserReads
} from './per-user-mfa.js'
import { pipePages, runAll } from './pipeline.js'
import type { ProgressTracker } from './progress.js'
import {
  analyzeIfLarge, applyDelta, copyObjects, copySkus, insertObjects, insertRegistrations, insertSkus, type SyncScope
} from './staging.js'

export interface Warning { field: string, reason: string }

export interface FetchContext {
  db: AnyDb
  client: GraphClient
  /** The registration report's own client (see GraphAccess.clientsFor). */
  reportClient: GraphClient
  scope: SyncScope
  /** The rows of the current snapshot (delta base; carried-over data when a read is forbidden). */
  snapshotId: string | null
  /** The per-user outcome the snapshot's records were computed with (null: none on record). */
  snapshotPerUser: PerUserOutcome | null
  pageSize: number | undefined
  /** JSON batches of per-user MFA reads in flight. */
  perUserConcurrency: number
  progress: ProgressTracker
}

export type RegistrationOutcome = { available: true } | { available: false, reason: RegistrationUnavailableReason }

export interface FetchResult {
  deltaLink: string
  /** the sync's rows were analysed once its users were staged */
  analyzed: boolean
  registration: RegistrationOutcome
  perUser: PerUserOutcome
  securityDefaults: boolean | null
  conditionalAccess: ConditionalAccessPolicy[] | null
  warnings: Warning[]
}

/**
 * Every read of one sync, at once: the users chain (full listing or a delta round, then the per-user
 * MFA states), the registration report, deleted users, org contacts, SKUs and the tenant's MFA
 * policies. Each chain writes its pages into the sync's staging rows as they arrive.
 */
export async function fetchAll (ctx: FetchContext, mode: 'full' | 'delta', deltaLink: string | null, parent: AbortSignal): Promise<FetchResult> {
  const warnings: Warning[] = []
  const [users, registration, , , , policies] = await runAll(parent, [
    (signal) => usersChain(ctx, mode === 'delta' ? deltaLink : null, signal),
    (signal) => registrationReport(ctx, signal),
    (signal) => deletedUsers(ctx, signal),
    (signal) => orgContacts(ctx, warnings, signal),
    (signal) => subscribedSkus(ctx, warnings, signal),
    (signal) => mfaPolicies(ctx, warnings, signal)
  ] as const)
  return { ...users, registration, ...policies, warnings }
}

/**
 * Users first, then the per-user MFA state of the users that have none yet (all on a full sync,
 * whose listing reads them alongside as far as it can: see PerUserReadAhead).
 */
async function usersChain (ctx: FetchContext, deltaLink: string | null, signal: AbortSignal) {
  const reads: PerUserReads = {
    db: ctx.db, client: ctx.client, scope: ctx.scope, concurrency: ctx.perUserConcurrency, signal, onStored: (users) => ctx.progress.perUserStates(users)
  }
  const { link, denied } = deltaLink ? { link: await deltaUsers(ctx, deltaLink, signal), denied: false } : await fullUsers(ctx, reads, signal)
  const analyzed = await analyzeIfLarge(ctx.db, ctx.scope.syncId)
  const perUser = denied ? PER_USER_UNAVAILABLE : await readPerUserStates(reads) ?? await nothingToRead(ctx, reads, deltaLink !== null)
  return { deltaLink: link, perUser, analyzed }
}

/**
 * The per-user outcome of a sync that had no state left to read, so no call said whether
 * Policy.Read.All is granted. A full sync read every user's while listing (or has no user). A delta
 * keeps the snapshot's outcome; but when the snapshot's states could not be read, one read asks
 * again, since the permission may have been granted (then the attempt runs in full: run-attempt.ts).
 */
async function nothingToRead (ctx: FetchContext, reads: PerUserReads, delta: boolean): Promise<PerUserOutcome> {
  const before = ctx.snapshotPerUser
  if (!delta || !before || before.available || !ctx.snapshotId) return { available: true }
  return await probePerUserStates(reads, ctx.snapshotId) ?? before
}

const top = (ctx: FetchContext) => (ctx.pageSize ? { top: ctx.pageSize } : {})

/**
 * A full listing of /users, each staged page offered to a PerUserReadAhead (with a batch fewer in
 * flight than afterwards, so the listing's next page keeps a slot among the tenant's requests).
 * The deltaLink is taken first, so changes made while listing come in the next delta.
 */
async function fullUsers (ctx: FetchContext, reads: PerUserReads, signal: AbortSignal): Promise<{ link: string, denied: boolean }> {
  const latest = await ctx.client.get<ODataPage<unknown>>('/users/delta', { select: USER_SELECT, query: { $deltatoken: 'latest' }, signal })
  const link = latest['@odata.deltaLink']
  if (!link) throw new Error('users/delta?$deltatoken=latest answered without an @odata.deltaLink')
  const readAhead = new PerUserReadAhead({ ...reads, concurrency: Math.max(1, reads.concurrency - 1) })
  try {
    await pipePages(usersPages(ctx.client, { ...top(ctx), signal }), async (page) => {
      await insertObjects(ctx.db, ctx.scope, 'user', page)
      readAhead.offer(page.map((user) => user.id))
      ctx.progress.page(page.length)
    })
  } catch (err) {
    await readAhead.settle()
    throw err
  }
  return { link, ...await readAhead.finish() }
}

/** A users/delta round staged as changes to the snapshot's users; rejects with isDeltaExpired() when the link is stale. */
async function deltaUsers (ctx: FetchContext, deltaLink: string, signal: AbortSignal): Promise<string> {
  const snapshotId = ctx.snapshotId
  if (!snapshotId) throw new Error('a delta sync needs a previous snapshot')
  const headers = ctx.pageSize ? { Prefer: `odata.maxpagesize=${ctx.pageSize}` } : undefined
  const round = deltaPages<Record<string, unknown>>(ctx.client, { deltaLink, signal, ...(headers ? { headers } : {}) })
  return await pipePages(mapRound(round, toUserDelta), async (page) => {
    await applyDelta(ctx.db, ctx.scope, snapshotId, page)
    ctx.progress.page(page.length)
  })
}

async function * mapRound<T, U, R> (round: AsyncGenerator<T[], R, undefined>, map: (item: T) => U): AsyncGenerator<U[], R, undefined> {
  for (let r = await round.next(); ; r = await round.next()) {
    if (r.done) return r.value
    yield r.value.map(map)
  }
}

async function registrationReport (ctx: FetchContext, signal: AbortSignal): Promise<RegistrationOutcome> {
  try {
    await pipePages(registrationDetailsPages(ctx.reportClient, { ...top(ctx), signal }), async (page) => {
      await insertRegistrations(ctx.db, ctx.scope, page)
      ctx.progress.page(0)
    })
    return { available: true }
  } catch (err) {
    const reason = registrationUnavailableReason(err)
    if (!reason) throw err
    return { available: false, reason }
  }
}

async function deletedUsers (ctx: FetchContext, signal: AbortSignal): Promise<void> {
  await pipePages(deletedUsersPages(ctx.client, { ...top(ctx), signal }), async (page) => {
    await insertObjects(ctx.db, ctx.scope, 'deletedUser', page)
    ctx.progress.page(page.length)
  })
}

/** Without OrgContact.Read.All the previous snapshot's contacts stay, rather than all looking removed. */
async function orgContacts (ctx: FetchContext, warnings: Warning[], signal: AbortSignal): Promise<void> {
  try {
    await pipePages(orgContactsPages(ctx.client, { ...top(ctx), signal }), async (page) => {
      await insertObjects(ctx.db, ctx.scope, 'orgContact', page)
      ctx.progress.page(0)
    })
  } catch (err) {
    if (!isForbidden(err)) throw err
    warnings.push({ field: 'orgContacts', reason: `${forbiddenReason(err, 'OrgContact.Read.All')}; the previous snapshot's org contacts are kept` })
    await ctx.db.execute(sql`delete from graph_sync.directory_objects where sync_id = ${ctx.scope.syncId}::uuid and kind = 'orgContact'`)
    if (ctx.snapshotId) await copyObjects(ctx.db, ctx.scope, ctx.snapshotId, 'orgContact')
  }
}

async function subscribedSkus (ctx: FetchContext, warnings: Warning[], signal: AbortSignal): Promise<void> {
  try {
    await insertSkus(ctx.db, ctx.scope, await fetchSubscribedSkus(ctx.client, { signal }))
  } catch (err) {
    if (!isForbidden(err)) throw err
    warnings.push({ field: 'skus', reason: `${forbiddenReason(err, 'Organization.Read.All')}; the previous snapshot's SKUs are kept` })
    if (ctx.snapshotId) await copySkus(ctx.db, ctx.scope, ctx.snapshotId)
  }
}

/** Security defaults and conditional access: tenant-wide, small, read once per sync. Forbidden → null ('unknown'). */
async function mfaPolicies (ctx: FetchContext, warnings: Warning[], signal: AbortSignal) {
  const [defaults, policies] = await Promise.all([
    optional(() => securityDefaults(ctx.client, { signal }), 'securityDefaults', warnings),
    optional(() => conditionalAccessPolicies(ctx.client, { signal }), 'conditionalAccess', warnings)
  ])
  return { securityDefaults: defaults?.isEnabled ?? null, conditionalAccess: policies }
}

async function optional<T> (read: () => Promise<T>, field: string, warnings: Warning[]): Promise<T | null> {
  try {
    return await read()
  } catch (err) {
    if (!isForbidden(err)) throw err
    warnings.push({ field, reason: `${forbiddenReason(err, 'Policy.Read.All')}, so it is unknown for every user` })
    return null
  }
}

const isForbidden = (err: unknown): err is GraphRequestError => err instanceof GraphRequestError && err.status === 403

function forbiddenReason (err: GraphRequestError, permission: string): string {
  const code = err.code
  if (isPremiumRequired(err)) return 'the tenant has no Entra ID P1/P2 licence'
  if (isPermissionDenied(err)) return `the app has not been granted ${permission}`
  return `Graph refused the read (${code})`
}
