import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { parse as parseQuery } from 'node:querystring'
import type { AddressInfo } from 'node:net'
import { createAdmin, type PsaSimulatorAdmin } from './admin.js'
import { autotaskRoutes } from './routes/autotask.js'
import { connectWiseRoutes, CONNECTWISE_API_PREFIX } from './routes/connectwise.js'
import { haloRoutes } from './routes/halopsa.js'
import {
  createState, DEFAULT_CREDENTIALS, type AutotaskCredentials, type ConnectWiseCredentials, type HaloCredentials, type SimState,
  type SimulatorCredentials
} from './state.js'

export interface PsaSimulatorOptions {
  /** default 0: any free port */
  port?: number
  /** default 127.0.0.1 */
  host?: string
  /** defaults: DEFAULT_CREDENTIALS */
  credentials?: {
    connectwise?: Partial<ConnectWiseCredentials>
    autotask?: Partial<AutotaskCredentials>
    halopsa?: Partial<HaloCredentials>
  }
  /** the ConnectWise signing key of key id `default`; default random */
  signingKey?: string
  /** lifetime of Halo access tokens; default 3600 */
  haloTokenTtlSeconds?: number
  /** Halo's largest `page_size`: a larger one is cut to it (the answer's `page_size` says so); default: no cap */
  haloMaxPageSize?: number
}

/** Options for @m365/psa's createConnectWiseClient / createAutotaskClient / createHaloClient, pointing at the simulator. */
export interface SimulatorClientOptions {
  connectwise: ConnectWiseCredentials & { baseUrl: string }
  autotask: AutotaskCredentials & { baseUrl: string }
  halopsa: HaloCredentials & { baseUrl: string }
}

export interface PsaSimulator {
  /** e.g. `http://127.0.0.1:41234` */
  url: string
  admin: PsaSimulatorAdmin
  credentials: SimulatorCredentials
  clientOptions: SimulatorClientOptions
  /** the ConnectWise key_url for a signing key id (default `default`) */
  keyUrl (id?: string): string
  close (): Promise<void>
}

/** Starts the three PSAs' contact APIs on one HTTP port. */
export async function startPsaSimulator (options: PsaSimulatorOptions = {}): Promise<PsaSimulator> {
  const credentials: SimulatorCredentials = {
    connectwise: { ...DEFAULT_CREDENTIALS.connectwise, ...options.credentials?.connectwise },
    autotask: { ...DEFAULT_CREDENTIALS.autotask, ...options.credentials?.autotask },
    halopsa: { ...DEFAULT_CREDENTIALS.halopsa, ...options.credentials?.halopsa }
  }
  const state = createState(credentials, options.signingKey)
  if (options.haloTokenTtlSeconds !== undefined) state.haloTokenTtlSeconds = options.haloTokenTtlSeconds
  state.haloMaxPageSize = options.haloMaxPageSize
  const app = Fastify({ logger: false, routerOptions: { caseSensitive: false }, forceCloseConnections: true, bodyLimit: 5 * 1024 * 1024 })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseQuery(body as string))
  })
  app.addHook('onRequest', async (request, reply) => await failOnPurpose(state, request, reply))
  app.addHook('onResponse', async (request, reply) => {
    state.counters.response(`${request.method} ${request.routeOptions.url ?? '(no route)'}`, reply.statusCode)
  })
  app.register(connectWiseRoutes(state))
  app.register(autotaskRoutes(state))
  app.register(haloRoutes(state))

  const host = options.host ?? '127.0.0.1'
  await app.listen({ port: options.port ?? 0, host })
  const port = (app.server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  state.url = url
  const listener = listenerControl(app, port, host)
  const admin = createAdmin(state, listener)
  return {
    url,
    admin,
    credentials,
    clientOptions: {
      connectwise: { ...credentials.connectwise, baseUrl: `${url}${CONNECTWISE_API_PREFIX}` },
      autotask: { ...credentials.autotask, baseUrl: `${url}/ATServicesRest` },
      halopsa: { ...credentials.halopsa, baseUrl: url }
    },
    keyUrl: (id = 'default') => `${url}/v4_6_release/system/callbackkey/index.rails?id=${encodeURIComponent(id)}`,
    async close () {
      await admin.setDown(false)
      await app.close()
    }
  }
}

async function failOnPurpose (state: SimState, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  state.counters.request(request.url)
  if (state.down?.mode === 'reset') {
    state.counters.failedOnPurpose++
    reply.hijack()
    request.raw.socket.destroy()
    return
  }
  const failure = state.down ?? state.failNext
  if (failure === null) return
  if (state.failNext !== null && state.down === null && --state.failNext.remaining <= 0) state.failNext = null
  state.counters.failedOnPurpose++
  const status = 'status' in failure ? failure.status : 503
  if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds))
  if ('body' in failure && failure.body !== undefined) {
    await reply.code(status).header('content-type', 'text/html; charset=utf-8').send(failure.body)
    return
  }
  await reply.code(status).send({ message: 'simulated failure' })
}

/** Stops and restarts accepting connections on the same port (setDown with mode `refuse`). */
function listenerControl (app: FastifyInstance, port: number, host: string) {
  return {
    stop: async () => {
      await new Promise<void>((resolve) => {
        app.server.close(() => resolve())
        app.server.closeAllConnections()
      })
    },
    start: async () => {
      await new Promise<void>((resolve, reject) => {
        app.server.once('error', reject)
        app.server.listen(port, host, () => {
          app.server.off('error', reject)
          resolve()
        })
      })
    }
  }
}
