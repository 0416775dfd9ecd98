import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pino from 'pino'
import type { Test } from 'tap'
import { createInProcessBus, type InProcessBus } from '@m365/bus'
import { createTestDatabase } from '@m365/db/testing'
import { loadConfig, loggerOptions } from '../src/index.js'
import fixtureApp, { FixtureConfig, type FixtureOptions } from './fixtures/app.js'

/** Every log line an app writes, parsed. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = []
  raw = ''
  override _write (chunk: Buffer, _encoding: string, callback: () => void): void {
    this.raw += chunk.toString()
    for (const line of chunk.toString().split('\n')) if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>)
    callback()
  }
}

export interface Built {
  app: FastifyInstance
  bus: InProcessBus
  logs: LogCapture
  databaseUrl: string
}

/** The fixture service on a fresh Postgres database (owned by the app) and an injected in-process bus. */
export async function build (t: Test, options: Partial<FixtureOptions> & { env?: Record<string, string> } = {}): Promise<Built> {
  const database = await createTestDatabase(t)
  const config = loadConfig(FixtureConfig, { DATABASE_URL: database.url, LOG_LEVEL: 'info', ...options.env })
  const logs = new LogCapture()
  const logger = pino(loggerOptions({ ...config, LOG_LEVEL: 'debug' }, 'kit-test'), logs)
  const app: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger, pluginTimeout: config.STARTUP_TIMEOUT_MS })
  // the bus logs into the same capture, as a service's bus logs with the service's logger
  const bus = options.bus as InProcessBus | undefined ?? createInProcessBus({ log: logger.child({ component: 'bus' }) })
  await app.register(fp(fixtureApp), { ...options, config, bus })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await bus.close()
  })
  return { app, bus, logs, databaseUrl: database.url }
}

/** Polls until `condition` holds (deadline, no fixed sleeps). */
export async function waitFor (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
