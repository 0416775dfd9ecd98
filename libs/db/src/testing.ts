import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { openDatabase, type DatabaseHandle } from './database.js'
import { emptyClusterDump } from './pglite-template.js'

/** What the helpers need from a tap `t` (or any test runner with teardown). */
export interface Teardown { teardown(fn: () => unknown): void }

export interface TestDatabase {
  /** postgres://…/t_<random>, for DATABASE_URL */
  url: string
  /** t_<random>; also a handy unique BUS_NAMESPACE */
  name: string
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * A fresh, empty database `t_<random>` on TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432),
 * dropped on teardown after terminating whatever is still connected to it.
 */
export async function createTestDatabase (t: Teardown): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  t.teardown(() => dropDatabase(adminUrl, name))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), name }
}

async function dropDatabase (adminUrl: string, name: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
  } finally {
    await admin.end()
  }
}

/** An embedded PGlite database in memory, started from a dump of an empty cluster; closed on teardown. */
export async function createTestPglite (t: Teardown): Promise<{ handle: DatabaseHandle }> {
  const handle = await openDatabase({ pgliteDump: await emptyClusterDump() })
  t.teardown(() => handle.close())
  return { handle }
}

/** A temporary directory (a service's DATA_DIR), removed on teardown. */
export async function createTestDataDir (t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'm365-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}
