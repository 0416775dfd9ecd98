import { readFile } from 'node:fs/promises'
import { createGraphTransport, type GraphTransport } from '@m365/graph'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TenantAuthConfig } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance { graphTransport: GraphTransport }
}

/** One HTTPS stack (and trust: the system CAs plus GRAPH_CA_PEM / GRAPH_CA_FILE) for msal's token calls and Graph. */
export default fp(async (app: FastifyInstance, { config }: { config: TenantAuthConfig }) => {
  const extraCaPem = config.GRAPH_CA_PEM ?? (config.GRAPH_CA_FILE ? await readFile(config.GRAPH_CA_FILE, 'utf8') : undefined)
  const transport = createGraphTransport(extraCaPem ? { extraCaPem } : {})
  app.decorate('graphTransport', transport)
  app.addHook('onClose', () => transport.close())
}, { name: 'graph-transport' })
