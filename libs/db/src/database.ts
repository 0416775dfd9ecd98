import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import postgres, { type Sql } from 'postgres'
import { silentLogger, type DbLogger } from './logger.js'

export interface OpenDatabaseOptions {
  /** `postgres://…`: the postgres driver. Without it, PGlite. */
  url?: string
  /** PGlite keeps its files in `<dataDir>/pglite`; without url and dataDir, PGlite runs in memory. */
  dataDir?: string
  log?: DbLogger
  /** Pool size for postgres (default 10). */
  max?: number
  /** PGlite in memory only: start from this dump (PGlite's dumpDataDir) instead of running initdb. */
  pgliteDump?: Blob
}

interface HandleBase {
  /** Releases this lease; the connection closes when the last lease of it is released. Idempotent. */
  close(): Promise<void>
  /** Throws when the database cannot answer `select 1`, or this lease is closed. */
  ping(): Promise<void>
  /** Raw SQL with $1… parameters, rows back, on either driver. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  /** Another lease on the same connection, closed independently (one per service in one process). */
  acquire(): DatabaseHandle
  readonly closed: boolean
}

export type PostgresHandle = HandleBase & { readonly kind: 'postgres', readonly client: Sql }
export type PgliteHandle = HandleBase & { readonly kind: 'pglite', readonly client: PGlite, readonly dataDir?: string }
/** One database connection (a postgres pool or one PGlite instance) shared by every service of the process. */
export type DatabaseHandle = PostgresHandle | PgliteHandle

type Connection =
  | { kind: 'postgres', client: Sql, key: string }
  | { kind: 'pglite', client: PGlite, key: string | undefined, dataDir?: string }

interface Shared { connection: Connection, leases: number, log: DbLogger, released: boolean }

// PGlite cannot open one directory twice in a process, and one pool per URL is plenty: share them.
// The map holds promises so two services opening at the same moment still share one connection.
const shared = new Map<string, Promise<Shared>>()

/** Opens (or joins) the database: postgres when `url` is given, otherwise PGlite on disk in `dataDir`. */
export async function openDatabase (options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const key = options.url ?? (options.dataDir ? `pglite:${resolve(options.dataDir)}` : undefined)
  const existing = key === undefined ? undefined : shared.get(key)
  if (existing) {
    const entry = await existing
    return entry.released ? await openDatabase(options) : lease(entry)
  }
  const log = options.log ?? silentLogger
  const opening = connect(options, key, log).then((connection): Shared => ({ connection, leases: 0, log, released: false }))
  if (key !== undefined) {
    shared.set(key, opening)
    opening.catch(() => shared.delete(key))
  }
  return lease(await opening)
}

async function connect (options: OpenDatabaseOptions, key: string | undefined, log: DbLogger): Promise<Connection> {
  if (options.url) {
    if (!/^postgres(ql)?:\/\//.test(options.url)) throw new Error('database url must start with postgres:// or postgresql://')
    const client = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: (notice) => log.debug({ notice: notice.message }, 'postgres notice')
    })
    log.info({ kind: 'postgres' }, 'database opened')
    return { kind: 'postgres', client, key: key ?? options.url }
  }
  const { PGlite } = await import('@electric-sql/pglite')
  if (!options.dataDir) {
    log.info({ kind: 'pglite', dataDir: 'memory' }, 'database opened')
    return { kind: 'pglite', client: await PGlite.create(options.pgliteDump ? { loadDataDir: options.pgliteDump } : {}), key }
  }
  const dataDir = join(resolve(options.dataDir), 'pglite')
  await mkdir(dataDir, { recursive: true })
  const client = await PGlite.create(dataDir)
  log.info({ kind: 'pglite', dataDir }, 'database opened')
  return { kind: 'pglite', client, key, dataDir }
}

function lease (entry: Shared): DatabaseHandle {
  entry.leases++
  const { connection } = entry
  let closed = false
  const base: HandleBase = {
    get closed () { return closed },
    async close () {
      if (closed) return
      closed = true
      if (--entry.leases === 0) await release(entry)
    },
    async ping () {
      if (closed) throw new Error('database handle is closed')
      await query(connection, 'select 1')
    },
    async query<T> (text: string, params: unknown[] = []) {
      if (closed) throw new Error('database handle is closed')
      return await query<T>(connection, text, params)
    },
    acquire: () => lease(entry)
  }
  return Object.assign(base, connection.kind === 'postgres'
    ? { kind: 'postgres' as const, client: connection.client }
    : { kind: 'pglite' as const, client: connection.client, dataDir: connection.dataDir }) as DatabaseHandle
}

async function release (entry: Shared): Promise<void> {
  const { connection } = entry
  entry.released = true
  if (connection.key !== undefined) shared.delete(connection.key)
  if (connection.kind === 'postgres') await connection.client.end({ timeout: 5 })
  else await connection.client.close()
  entry.log.info({ kind: connection.kind }, 'database closed')
}

async function query<T> (connection: Connection, text: string, params: unknown[] = []): Promise<T[]> {
  if (connection.kind === 'postgres') {
    return [...await connection.client.unsafe(text, params as postgres.ParameterOrJSON<never>[])] as T[]
  }
  return (await connection.client.query<T>(text, params)).rows
}
