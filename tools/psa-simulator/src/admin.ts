import { randomBytes } from 'node:crypto'
import { generate, type GenerateOptions, type GenerateResult } from './generate.js'
import type { ContactPatch, DeletedContact, NewContact, SimCompany, SimContact } from './model.js'
import type { DownMode, SimState } from './state.js'
import type { SimulatorStats } from './stats.js'

export interface SetDownOptions {
  /**
   * `unavailable` (default): every request gets 503 (with Retry-After when given);
   * `reset`: the connection is destroyed without an answer; `refuse`: the port stops accepting (ECONNREFUSED).
   */
  mode?: DownMode
  retryAfterSeconds?: number
}

/** In-process control of the simulator: data, failures, signing keys, counters. */
export interface PsaSimulatorAdmin {
  createCompany (input: { name: string, identifier?: string, id?: number }): SimCompany
  updateCompany (id: number, patch: { name?: string, identifier?: string }): SimCompany
  listCompanies (): SimCompany[]
  createContact (input: NewContact): SimContact
  /** changes the contact and bumps its updatedAt */
  updateContact (id: number, patch: ContactPatch): SimContact
  /** removes it from every API (they answer 404 / `item: null`) and keeps a tombstone */
  deleteContact (id: number): DeletedContact
  getContact (id: number): SimContact | undefined
  getDeletedContact (id: number): DeletedContact | undefined
  listContacts (filter?: { companyId?: number }): SimContact[]
  /** deterministic companies and contacts (see GenerateOptions); 50 000 contacts take well under a second */
  generate (options?: GenerateOptions): GenerateResult
  setDown (down: boolean, options?: SetDownOptions): Promise<void>
  /**
   * the next `count` requests answer `status` (default 503), then normal service resumes; `body`: an HTML body instead
   * of the JSON one (a gateway's error page)
   */
  failNext (count: number, options?: { status?: number, retryAfterSeconds?: number, body?: string }): void
  /** the ConnectWise signing key behind `keyUrl(id)`; id defaults to `default` */
  signingKey (id?: string): string
  setSigningKey (id: string, key: string): void
  /** a new random key for `id`; returns it */
  rotateSigningKey (id?: string): string
  /** every Halo access token issued so far stops working (the next API call gets 401) */
  expireHaloTokens (): void
  stats (): SimulatorStats
  resetStats (): void
}

const copy = (c: SimContact): SimContact => ({ ...c, company: { ...c.company }, emails: [...c.emails] })

export function createAdmin (state: SimState, listener: { stop (): Promise<void>, start (): Promise<void> }): PsaSimulatorAdmin {
  const { store } = state
  let refused = false
  return {
    createCompany: (input) => ({ ...store.createCompany(input) }),
    updateCompany (id, patch) {
      // contacts share the company record, so every API shows the new name at once
      const company = Object.assign(store.company(id), Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)))
      return { ...company }
    },
    listCompanies: () => [...store.companies.values()].map((c) => ({ ...c })),
    createContact: (input) => copy(store.createContact(input)),
    updateContact: (id, patch) => copy(store.updateContact(id, patch)),
    deleteContact: (id) => ({ ...store.deleteContact(id) }),
    getContact (id) {
      const contact = store.contacts.get(id)
      return contact && copy(contact)
    },
    getDeletedContact (id) {
      const contact = store.deleted.get(id)
      return contact && { ...contact }
    },
    listContacts: (filter = {}) => [...store.contacts.values()]
      .filter((c) => filter.companyId === undefined || c.company.id === filter.companyId).map(copy),
    generate: (options) => generate(store, options),
    async setDown (down, options = {}) {
      state.down = down ? { mode: options.mode ?? 'unavailable', ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }) } : null
      if (down && state.down?.mode === 'refuse' && !refused) {
        refused = true
        await listener.stop()
      } else if (refused && (!down || state.down?.mode !== 'refuse')) {
        refused = false
        await listener.start()
      }
    },
    failNext (count, options = {}) {
      state.failNext = count > 0
        ? {
            remaining: count,
            status: options.status ?? 503,
            ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
            ...(options.body === undefined ? {} : { body: options.body })
          }
        : null
    },
    signingKey (id = 'default') {
      const key = state.signingKeys.get(id)
      if (key === undefined) throw new Error(`no signing key ${id}`)
      return key
    },
    setSigningKey: (id, key) => { state.signingKeys.set(id, key) },
    rotateSigningKey (id = 'default') {
      const key = randomBytes(24).toString('base64url')
      state.signingKeys.set(id, key)
      return key
    },
    expireHaloTokens: () => { state.haloTokens.clear() },
    stats: () => ({
      requests: state.counters.requests,
      byPsa: { ...state.counters.byPsa },
      byRoute: { ...state.counters.byRoute },
      byStatus: { ...state.counters.byStatus },
      unauthorized: state.counters.unauthorized,
      failedOnPurpose: state.counters.failedOnPurpose,
      signingKeyFetches: state.counters.signingKeyFetches,
      contacts: store.contacts.size,
      deletedContacts: store.deleted.size,
      companies: store.companies.size
    }),
    resetStats: () => state.counters.reset()
  }
}
