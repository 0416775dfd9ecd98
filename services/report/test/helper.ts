import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Test } from 'tap'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { createInProcessBus, type EventBus } from '@m365/bus'
import { createTestDatabase } from '@m365/db/testing'
import { DEFAULT_STARTUP_TIMEOUT_MS, loadConfig } from '@m365/service-kit'
import reportApp, { ReportConfig } from '../src/index.js'

export interface Built {
  app: FastifyInstance
  bus: EventBus
  databaseUrl: string
}

/** The report service on a fresh Postgres database and (unless given) an in-process bus; loops poll fast. */
export async function build (t: Test, options: { bus?: EventBus, env?: Record<string, string>, databaseUrl?: string } = {}): Promise<Built> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase(t)).url
  const config = loadConfig(ReportConfig, {
    DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '50', VERSION_BUILD_POLL_MS: '50', ...options.env
  })
  const bus = options.bus ?? createInProcessBus()
  const app = Fastify({ logger: false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
  await app.register(fp(reportApp), { config, bus })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    if (!options.bus) await bus.close()
  })
  return { app, bus, databaseUrl }
}

export const MSP = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'msp-staff' }) }
export const asClient = (clientId: string) => ({ [PRINCIPAL_HEADER]: encodePrincipal({ role: 'client', sub: 'portal-user', clientId }) })

/** Polls until `condition` returns a value other than undefined/false (deadline, no fixed sleeps). */
export async function waitFor<T> (condition: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (true) {
    const value = await condition()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
