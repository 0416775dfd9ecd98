import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { createBusFromConfig } from '@m365/bus'
import { openDatabase } from '@m365/db'
import { ensureLocalSigningKey, mintToken } from '@m365/gateway'
import { usesRealMicrosoft365, type SingleProcessConfig } from './config.js'
import { seedDemo } from './demo-seed.js'
import { keepDevTokensCurrent } from './dev-tokens.js'
import { gatewayClient } from './gateway-client.js'
import { ensureEncryptionKey } from './local-secrets.js'
import { startServices } from './services.js'
import { startDemoSimulators, type DemoSimulators } from './simulators.js'

/** The `service` of the process's own log lines (each service's lines carry the service's name). */
export const SINGLE_PROCESS = 'single-process'

export interface SingleProcess {
  url: string
  dataDir: string
  devTokensFile: string
  simulators?: DemoSimulators
  /** resolves when the demo seed has finished (immediately when there is none) */
  seeded: Promise<string[]>
  close(): Promise<void>
}

/**
 * All five services in one process (DESIGN.md runtime modes): one database handle (PGlite under
 * DATA_DIR unless DATABASE_URL is set), one bus (in-process unless NATS_URL is set), the services on
 * loopback ports and the gateway on PORT. Without Azure credentials the simulators stand in.
 * `root`: a logger without a `service` binding; each service's lines name it, the rest name 'single-process'.
 */
export async function startSingleProcess (config: SingleProcessConfig, env: Record<string, string | undefined>, root: FastifyBaseLogger): Promise<SingleProcess> {
  const log = root.child({ service: SINGLE_PROCESS })
  const dataDir = resolve(config.DATA_DIR)
  await mkdir(dataDir, { recursive: true })
  const cleanups: Array<() => Promise<void>> = []
  let closing = false
  const closeAll = async () => {
    closing = true
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => log.error({ err }, 'close failed'))
  }
  try {
    const simulators = usesRealMicrosoft365(config) ? undefined : await startDemoSimulators()
    if (simulators) cleanups.push(() => simulators.close())

    const db = await openDatabase({ url: config.DATABASE_URL, dataDir, log })
    cleanups.push(() => db.close())
    // in memory, an event only counts as published once consumed: nothing acknowledged is lost when the process stops
    const bus = await createBusFromConfig({
      NATS_URL: config.NATS_URL, BUS_NAMESPACE: config.BUS_NAMESPACE, log, name: SINGLE_PROCESS, publishAwaitsConsumers: true
    })
    cleanups.push(() => bus.close())

    const keyFile = join(dataDir, 'jwt-key.json')
    const port = config.PORT
    const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${port}`
    const serviceEnv = {
      ...env,
      ...simulators?.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: config.LOG_LEVEL,
      ENCRYPTION_KEY: config.ENCRYPTION_KEY ?? await ensureEncryptionKey(dataDir),
      PUBLIC_BASE_URL: publicBaseUrl,
      JWT_LOCAL_KEY_FILE: keyFile
    }
    const services = await startServices({ env: serviceEnv, db, bus, log: root, host: config.HOST, port })
    cleanups.push(() => services.close())
    // the public port is the gateway's; in this mode its readiness is the whole process's
    services.gateway.app.readiness.add('db', () => db.ping())
    services.gateway.app.readiness.add('bus', () => bus.ping())
    const url = services.gateway.url.replace('0.0.0.0', 'localhost')

    const key = await ensureLocalSigningKey(keyFile)
    const devTokensFile = join(dataDir, 'dev-tokens.json')
    const api = gatewayClient(url, await mintToken(key, { role: 'msp', ttl: '1h' }))
    const clientIds = await listClientIds(api)
    const tokens = await keepDevTokensCurrent({ bus, key, file: devTokensFile, existingClientIds: clientIds, log })
    cleanups.push(() => tokens.close())

    const seeded = simulators && config.DEMO_SEED
      ? seedDemo(api, simulators, log).catch((err) => {
        // stopped while seeding (Ctrl-C right after start): its requests fail, which is no error
        if (closing) log.info('demo seed stopped: closing')
        else log.error({ err }, 'demo seed failed')
        return []
      })
      : Promise.resolve([])
    return { url, dataDir, devTokensFile, simulators, seeded, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}

async function listClientIds (api: ReturnType<typeof gatewayClient>): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const page: { items: Array<{ id: string }>, nextCursor: string | null } = await api.get(`/v1/clients?limit=500${query}`)
    ids.push(...page.items.map((c) => c.id))
    cursor = page.nextCursor
  } while (cursor)
  return ids
}
