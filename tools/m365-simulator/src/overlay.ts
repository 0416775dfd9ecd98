import { Generator, POPULATION } from './generator.js'
import { SimulatorError } from './errors.js'
import type { MfaProfile, UserEntry, UserRecord } from './types.js'

export type UserState = 'active' | 'softDeleted' | 'hardDeleted'
type BasePopulation = 'active' | 'deleted' | 'none'

export interface Located { entry: UserEntry, state: UserState, deletedDateTime: string | null }

/** One runtime change; delta rounds replay the log between two sequence numbers. */
export interface ChangeEntry {
  seq: number
  id: string
  op: 'upsert' | 'softDelete' | 'hardDelete'
  /** changed user properties; null = the whole object (new or restored user) */
  props: string[] | null
}

interface Status { state: UserState, base: BasePopulation, deletedDateTime?: string, binSlot?: number, listed?: boolean }

/**
 * The users of one tenant: the baseline (fixture users, then generated users) plus a small overlay
 * of runtime changes. Positions are stable (baseline first, then added users in order), so a
 * skiptoken is just a position and a delta token a change-log sequence number.
 */
export class UserStore {
  private readonly baselineIndex = new Map<string, number>()
  private readonly binIndex = new Map<string, number>()
  private readonly overrides = new Map<string, UserEntry>()
  private readonly added: string[] = []
  private readonly status = new Map<string, Status>()
  private readonly bin: string[] = []
  private readonly lastSeq = new Map<string, number>()
  private baseLicences?: Map<string, number>
  readonly log: ChangeEntry[] = []
  readonly baseCount: number
  readonly baseBinCount: number

  constructor (
    readonly gen: Generator,
    private readonly baseline: UserEntry[],
    private readonly baselineBin: Array<UserEntry & { deletedDateTime: string }>,
    private readonly now: () => number
  ) {
    baseline.forEach((e, i) => this.baselineIndex.set(e.user.id, i))
    baselineBin.forEach((e, i) => this.binIndex.set(e.user.id, i))
    this.baseCount = baseline.length + gen.config.count
    this.baseBinCount = baselineBin.length + gen.config.deletedCount
  }

  get seq () { return this.log.length }

  private baseOf (id: string): { entry: UserEntry, population: BasePopulation, deletedDateTime?: string } | undefined {
    const b = this.baselineIndex.get(id)
    if (b !== undefined) return { entry: this.baseline[b]!, population: 'active' }
    const g = this.gen.indexOf(id, POPULATION.user)
    if (g !== undefined) return { entry: this.gen.userAt(g), population: 'active' }
    const d = this.binIndex.get(id)
    if (d !== undefined) return { entry: this.baselineBin[d]!, population: 'deleted', deletedDateTime: this.baselineBin[d]!.deletedDateTime }
    const gd = this.gen.indexOf(id, POPULATION.deleted)
    if (gd !== undefined) {
      const { deletedDateTime, ...entry } = this.gen.deletedAt(gd)
      return { entry, population: 'deleted', deletedDateTime }
    }
    return undefined
  }

  /** Any user that exists (active or in the recycle bin); hard-deleted users are gone. */
  find (id: string): Located | undefined {
    const key = id.toLowerCase()
    const st = this.status.get(key)
    if (st?.state === 'hardDeleted') return undefined
    const base = st && this.overrides.has(key) ? undefined : this.baseOf(key)
    const entry = this.overrides.get(key) ?? base?.entry
    if (!entry) return undefined
    const state: UserState = st?.state ?? (base?.population === 'deleted' ? 'softDeleted' : 'active')
    return { entry, state, deletedDateTime: state === 'softDeleted' ? (st?.deletedDateTime ?? base?.deletedDateTime ?? null) : null }
  }

  /** Status of a user about to change: created from its baseline population on first touch. */
  private touch (id: string): Status {
    let st = this.status.get(id)
    if (!st) {
      const base = this.baseOf(id)
      if (!base) throw new SimulatorError(404, `user ${id} not found`)
      st = { state: base.population === 'deleted' ? 'softDeleted' : 'active', base: base.population }
      if (base.deletedDateTime) st.deletedDateTime = base.deletedDateTime
      this.status.set(id, st)
    }
    return st
  }

  /** By object id or userPrincipalName, as Graph's /users/{id | userPrincipalName}. */
  findByKey (key: string): Located | undefined {
    if (/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(key)) return this.find(key)
    const upn = key.toLowerCase()
    for (const [id, e] of this.overrides) if (e.user.userPrincipalName.toLowerCase() === upn) return this.find(id)
    for (const e of this.baseline) if (e.user.userPrincipalName.toLowerCase() === upn) return this.find(e.user.id)
    const m = /(\d+)(?:_[^@]*)?@/.exec(upn) // generated UPNs carry their index
    if (m) {
      const i = Number(m[1])
      if (i < this.gen.config.count) {
        const found = this.find(this.gen.userId(i))
        if (found?.entry.user.userPrincipalName.toLowerCase() === upn) return found
      }
    }
    return undefined
  }

  get end () { return this.baseCount + this.added.length }

  /** The active user at a listing position, or undefined if that slot is deleted. */
  activeAt (p: number): UserEntry | undefined {
    if (p >= this.baseCount) {
      const id = this.added[p - this.baseCount]!
      return this.status.get(id)?.state === 'active' ? this.overrides.get(id) : undefined
    }
    const bl = this.baseline.length
    const id = p < bl ? this.baseline[p]!.user.id : this.gen.userId(p - bl)
    const st = this.status.get(id)
    if (st && st.state !== 'active') return undefined
    return this.overrides.get(id) ?? (p < bl ? this.baseline[p]! : this.gen.userAt(p - bl))
  }

  get binEnd () { return this.baseBinCount + this.bin.length }

  /** The recycle-bin entry at a position (baseline bin first, then runtime soft deletes in order). */
  binAt (q: number): Located | undefined {
    if (q < this.baseBinCount) {
      const bl = this.baselineBin.length
      const id = q < bl ? this.baselineBin[q]!.user.id : this.gen.deletedId(q - bl)
      const st = this.status.get(id) // touched but never restored (e.g. its registration changed): still here
      return !st || (st.state === 'softDeleted' && st.binSlot === undefined) ? this.find(id) : undefined
    }
    const id = this.bin[q - this.baseBinCount]!
    const st = this.status.get(id)
    return st?.state === 'softDeleted' && st.binSlot === q - this.baseBinCount ? this.find(id) : undefined
  }

  add (entry: UserEntry): UserEntry {
    const id = entry.user.id.toLowerCase()
    if (this.find(id) || this.status.has(id)) throw new SimulatorError(409, `user ${id} already exists`)
    if (this.findByKey(entry.user.userPrincipalName)) throw new SimulatorError(409, `userPrincipalName ${entry.user.userPrincipalName} is taken`)
    this.overrides.set(id, entry)
    this.added.push(id)
    this.status.set(id, { state: 'active', base: 'none', listed: true })
    this.append(id, 'upsert', null)
    return entry
  }

  update (id: string, patch: Partial<UserRecord>): UserEntry {
    const found = this.requireState(id, 'active')
    const user = { ...found.entry.user, ...patch, id: found.entry.user.id }
    const props = (Object.keys(patch) as Array<keyof UserRecord>)
      .filter((k) => k !== 'id' && JSON.stringify(found.entry.user[k]) !== JSON.stringify(user[k]))
    // Graph-visible names of what changed (licence states follow assignedLicenses)
    if (props.includes('assignedLicenses') && !props.includes('licenseAssignmentStates')) props.push('licenseAssignmentStates')
    const visible = props.map((p) => (p === 'lastSignInDateTime' ? 'signInActivity' : p))
    const entry = { user, mfa: found.entry.mfa }
    this.touch(user.id)
    this.overrides.set(user.id, entry)
    if (visible.length > 0) this.append(user.id, 'upsert', visible)
    return entry
  }

  /** Registration and per-user MFA are not directory properties: no delta entry. */
  updateMfa (id: string, patch: Partial<MfaProfile>): UserEntry {
    const found = this.find(id)
    if (!found) throw new SimulatorError(404, `user ${id} not found`)
    const entry = { user: found.entry.user, mfa: { ...found.entry.mfa, ...patch } }
    this.touch(entry.user.id)
    this.overrides.set(entry.user.id, entry)
    return entry
  }

  softDelete (id: string) {
    const key = this.requireState(id, 'active').entry.user.id
    const st = this.touch(key)
    st.state = 'softDeleted'
    st.deletedDateTime = new Date(this.now()).toISOString()
    st.binSlot = this.bin.push(key) - 1
    this.append(key, 'softDelete', null)
  }

  restore (id: string): UserEntry {
    const found = this.requireState(id, 'softDeleted')
    const key = found.entry.user.id
    const st = this.touch(key)
    if (st.base !== 'active' && !st.listed) { // from the baseline bin: listed after the added users
      const upn = found.entry.user.userPrincipalName.replace(key.replaceAll('-', ''), '')
      this.overrides.set(key, { ...found.entry, user: { ...found.entry.user, userPrincipalName: upn } })
      this.added.push(key)
      st.listed = true
    }
    st.state = 'active'
    delete st.deletedDateTime
    delete st.binSlot
    this.append(key, 'upsert', null)
    return this.overrides.get(key) ?? found.entry
  }

  hardDelete (id: string) {
    const found = this.find(id)
    if (!found) throw new SimulatorError(404, `user ${id} not found`)
    const key = found.entry.user.id
    this.touch(key).state = 'hardDeleted'
    this.overrides.delete(key)
    this.append(key, 'hardDelete', null)
  }

  private requireState (id: string, state: UserState): Located {
    const found = this.find(id)
    if (!found) throw new SimulatorError(404, `user ${id} not found`)
    if (found.state !== state) throw new SimulatorError(409, `user ${id} is ${found.state}, expected ${state}`)
    return found
  }

  private append (id: string, op: ChangeEntry['op'], props: string[] | null) {
    this.log.push({ seq: this.log.length + 1, id, op, props })
    this.lastSeq.set(id, this.log.length)
  }

  lastSeqOf (id: string) { return this.lastSeq.get(id) ?? 0 }

  activeCount (): number {
    let n = this.baseCount
    for (const st of this.status.values()) {
      if (st.base === 'active' && st.state !== 'active') n--
      if (st.base !== 'active' && st.state === 'active') n++
    }
    return n
  }

  /** Assigned units per SKU: the baseline is counted once, then adjusted by the overlay. */
  consumedUnits (): Map<string, number> {
    if (!this.baseLicences) {
      const counts = new Map<string, number>()
      const bump = (skuId: string, d: number) => counts.set(skuId, (counts.get(skuId) ?? 0) + d)
      for (const e of this.baseline) e.user.assignedLicenses.forEach((l) => bump(l.skuId, 1))
      for (let i = 0; i < this.gen.config.count; i++) this.gen.licensesAt(i).forEach((l) => bump(l.skuId, 1))
      this.baseLicences = counts
    }
    const counts = new Map(this.baseLicences)
    const bump = (skuId: string, d: number) => counts.set(skuId, (counts.get(skuId) ?? 0) + d)
    for (const id of this.status.keys()) {
      const base = this.baseOf(id)
      if (base?.population === 'active') base.entry.user.assignedLicenses.forEach((l) => bump(l.skuId, -1))
      const now = this.find(id)
      if (now?.state === 'active') now.entry.user.assignedLicenses.forEach((l) => bump(l.skuId, 1))
    }
    return counts
  }
}
