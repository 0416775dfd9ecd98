import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'

/** The tenant lease was taken over (this worker stalled past its expiry): stop, someone else syncs now. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError'
}

interface LeaseLog { warn: (obj: Record<string, unknown>, msg: string) => void }

export interface LeaseOptions { db: AnyDb, tenantId: string, syncId: string, holder: string, ttlMs: number, log: LeaseLog }

/**
 * At most one sync per tenant across all replicas: a row per tenant in Postgres with an expiry the
 * holder keeps pushing forward. A lease whose holder died (no renewal within the TTL) can be taken
 * over; its open attempt rows are closed at the old expiry, the moment its exclusivity ended.
 * Times are the database's, so replicas' clocks do not matter.
 */
export class TenantLease {
  readonly #controller = new AbortController()
  #timer: NodeJS.Timeout | undefined
  #failingSince: number | undefined

  private constructor (private readonly options: LeaseOptions) {}

  /** Aborts when the lease is lost. */
  get signal (): AbortSignal { return this.#controller.signal }

  /** The lease, or null while another sync of the tenant holds it. */
  static async acquire (options: LeaseOptions): Promise<TenantLease | null> {
    const { db, tenantId, syncId, holder, ttlMs } = options
    const taken = await db.transaction(async (tx) => {
      const [current] = await queryRows<{ expires_at: Date, live: boolean }>(tx, sql`
        select expires_at, expires_at > now() as live from graph_sync.tenant_leases where tenant_id = ${tenantId}::uuid for update`)
      if (current?.live) return false
      // Conditional: a replica that inserted or renewed the row since our read keeps it.
      const won = await queryRows(tx, sql`
        insert into graph_sync.tenant_leases as l (tenant_id, sync_id, holder, acquired_at, expires_at)
        values (${tenantId}::uuid, ${syncId}::uuid, ${holder}, now(), now() + make_interval(secs => ${ttlMs / 1000}))
        on conflict (tenant_id) do update set sync_id = excluded.sync_id, holder = excluded.holder,
          acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        where l.expires_at <= now()
        returning tenant_id`)
      if (won.length === 0) return false
      if (current) {
        await tx.execute(sql`
          update graph_sync.sync_attempts set finished_at = ${new Date(current.expires_at).toISOString()}::timestamptz, outcome = 'abandoned',
            error = 'the worker stopped renewing its lease'
          where tenant_id = ${tenantId}::uuid and finished_at is null`)
      }
      return true
    })
    if (!taken) return null
    const lease = new TenantLease(options)
    lease.#timer = setInterval(() => { lease.#renew().catch(() => {}) }, Math.max(50, Math.floor(ttlMs / 3)))
    return lease
  }

  async #renew (): Promise<void> {
    const { db, tenantId, syncId, holder, ttlMs, log } = this.options
    try {
      const rows = await queryRows(db, sql`
        update graph_sync.tenant_leases set expires_at = now() + make_interval(secs => ${ttlMs / 1000})
        where tenant_id = ${tenantId}::uuid and sync_id = ${syncId}::uuid and holder = ${holder}
        returning tenant_id`)
      if (rows.length === 0) return this.#lose('the tenant lease was taken over')
      this.#failingSince = undefined
    } catch (err) {
      log.warn({ err, tenantId, syncId }, 'could not renew the tenant lease')
      this.#failingSince ??= Date.now()
      if (Date.now() - this.#failingSince > ttlMs / 2) this.#lose('the tenant lease could not be renewed')
    }
  }

  #lose (why: string): void {
    clearInterval(this.#timer)
    if (!this.#controller.signal.aborted) this.#controller.abort(new LeaseLostError(why))
  }

  /** Inside a transaction that must only commit while the lease is still ours (fencing). */
  async assertHeld (tx: AnyDb): Promise<void> {
    const { tenantId, syncId, holder } = this.options
    const rows = await queryRows(tx, sql`
      select 1 from graph_sync.tenant_leases
      where tenant_id = ${tenantId}::uuid and sync_id = ${syncId}::uuid and holder = ${holder} and expires_at > now()
      for update`)
    if (rows.length === 0) throw new LeaseLostError('the tenant lease is no longer held')
  }

  async release (): Promise<void> {
    clearInterval(this.#timer)
    const { db, tenantId, syncId, holder } = this.options
    await db.execute(sql`
      delete from graph_sync.tenant_leases where tenant_id = ${tenantId}::uuid and sync_id = ${syncId}::uuid and holder = ${holder}`)
  }
}
