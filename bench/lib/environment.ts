import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { createNatsBus, deleteNatsNamespace, type NatsBus } from '@m365/bus'
import { TokenRequest } from '@m365/contracts'
import { startM365Sim, type M365Sim } from './m365-sim.js'

export const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

/**
 * What every benchmark of one run shares: a fresh database (dropped at the end), a random NATS
 * namespace (its streams deleted at the end), the bench's own bus connection, the Microsoft 365
 * simulator as its own process, and tokens.get answered in tenant-auth's place.
 */
export interface BenchEnvironment {
  databaseUrl: string
  databaseName: string
  namespace: string
  bus: NatsBus
  /** the bench's own connection (polling read models, floors) */
  sql: postgres.Sql
  sim: M365Sim
  /** run/stop services with this: database, bus, Graph and secrets, everything but service-specific knobs */
  serviceEnv: Record<string, string>
  /** runs `fn` at close(), last registered first */
  defer: (fn: () => Promise<unknown> | unknown) => void
  cpuProf: boolean
  close: () => Promise<void>
}

export async function createEnvironment (options: { cpuProf: boolean, keepDb?: boolean }): Promise<BenchEnvironment> {
  const cleanups: Array<() => Promise<unknown> | unknown> = []
  const defer = (fn: () => Promise<unknown> | unknown) => { cleanups.push(fn) }
  const close = async () => {
    for (const fn of cleanups.reverse()) {
      try { await fn() } catch (err) { console.error(`cleanup failed: ${(err as Error).message}`) }
    }
    cleanups.length = 0
  }
  try {
    const suffix = randomBytes(4).toString('hex')
    const databaseName = `bench_${suffix}`
    const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
    try {
      await admin.unsafe(`create database "${databaseName}"`)
      // diagnosis: Postgres logs every statement of this database slower than this (its server log)
      const slow = Number(process.env.BENCH_PG_LOG_MS)
      if (slow >= 0 && process.env.BENCH_PG_LOG_MS) await admin.unsafe(`alter database "${databaseName}" set log_min_duration_statement = ${slow}`)
    } finally {
      await admin.end()
    }
    if (!options.keepDb) defer(() => dropDatabase(databaseName))
    const url = new URL(ADMIN_DATABASE_URL)
    url.pathname = `/${databaseName}`
    const databaseUrl = url.toString()

    const namespace = `bench_${suffix}`
    defer(() => deleteNatsNamespace({ url: NATS_URL, namespace }))
    const bus = await createNatsBus({ url: NATS_URL, namespace, name: 'bench' })
    defer(() => bus.close())

    const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} })
    defer(() => sql.end({ timeout: 5 }))

    const sim = await startM365Sim({ cpuProf: options.cpuProf })
    defer(() => sim.close())

    // tenant-auth's part: an app-only token per tenant, cached until shortly before it expires
    const tokens = new Map<string, Promise<{ accessToken: string, expiresOn: string }>>()
    await bus.serve(TokenRequest, async ({ tenantId }) => {
      let token = tokens.get(tenantId)
      if (!token || Date.parse((await token).expiresOn) < Date.now() + 300_000) {
        token = sim.token(tenantId)
        tokens.set(tenantId, token)
        token.catch(() => tokens.delete(tenantId))
      }
      try {
        return { ok: true as const, ...(await token) }
      } catch (err) {
        return { ok: false as const, code: 'identity_unavailable' as const, message: (err as Error).message }
      }
    })

    const serviceEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      NATS_URL,
      BUS_NAMESPACE: namespace,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', // as deployed (k8s/base/config.yaml)
      GRAPH_BASE_URL: sim.url,
      GRAPH_CA_PEM: sim.caPem,
      AUTHORITY_HOST: sim.url,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SCHEDULER_ENABLED: 'false',
      CLOSE_GRACE_MS: '20000'
    }
    return { databaseUrl, databaseName, namespace, bus, sql, sim, serviceEnv, defer, cpuProf: options.cpuProf, close }
  } catch (err) {
    await close()
    throw err
  }
}

async function dropDatabase (name: string): Promise<void> {
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
  try {
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
  } finally {
    await admin.end()
  }
}
