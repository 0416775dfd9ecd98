import { sql } from 'drizzle-orm'
import type { EventBus } from '@m365/bus'
import { createEvent, SyncProgress, type SyncPhase } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { SyncScope } from './staging.js'

interface ProgressLog { warn: (obj: Record<string, unknown>, msg: string) => void }

/**
 * Counts pages, users and per-user MFA reads while a sync runs. Every `everyPages` pages (a page of
 * per-user reads counts as one), and on each phase change, it writes them to sync_runs and publishes
 * o365.sync.progress, one write at a time in the background so paging never waits for it; `flush()`
 * waits for what is under way.
 */
export class ProgressTracker {
  pages = 0
  usersProcessed = 0
  perUserMfaRead = 0
  phase: SyncPhase = 'fetching'
  #sincePublished = 0
  #chain: Promise<void> = Promise.resolve()

  constructor (
    private readonly deps: { db: AnyDb, bus: EventBus, log: ProgressLog, everyPages: number },
    private readonly scope: SyncScope
  ) {}

  page (users: number): void {
    this.pages++
    this.usersProcessed += users
    this.#counted()
  }

  /** `users` more per-user MFA states read (a page of them) */
  perUserStates (users: number): void {
    this.perUserMfaRead += users
    this.#counted()
  }

  enter (phase: SyncPhase): void {
    this.phase = phase
    this.#report()
  }

  async flush (): Promise<void> {
    await this.#chain
  }

  #counted (): void {
    if (++this.#sincePublished >= this.deps.everyPages) this.#report()
  }

  #report (): void {
    this.#sincePublished = 0
    const snapshot = { phase: this.phase, pages: this.pages, usersProcessed: this.usersProcessed, perUserMfaRead: this.perUserMfaRead }
    const { db, bus, log } = this.deps
    const { syncId, tenantId } = this.scope
    this.#chain = this.#chain.then(async () => {
      await db.execute(sql`
        update graph_sync.sync_runs set phase = ${snapshot.phase}, pages = ${snapshot.pages},
          users_processed = ${snapshot.usersProcessed}, per_user_mfa_read = ${snapshot.perUserMfaRead}, updated_at = now()
        where sync_id = ${syncId}::uuid and outcome is null`)
      await bus.publish(SyncProgress, createEvent(SyncProgress, { syncId, tenantId, ...snapshot, at: new Date().toISOString() }))
    }).catch((err: unknown) => log.warn({ err, syncId }, 'could not record sync progress'))
  }
}
