import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import openapiTS, { astToString } from 'openapi-typescript'
import { fetch } from 'undici'
import { loadConfig } from '@m365/service-kit'
import gatewayApp, { GatewayConfig } from '../src/index.js'

export const GENERATED_DIR = join(import.meta.dirname, '..', 'test', 'generated')
export const DOCUMENT_FILE = join(GENERATED_DIR, 'openapi.json')
export const TYPES_FILE = join(GENERATED_DIR, 'api.ts')

/** The document a running gateway serves at /openapi.json (no service needs to run: it comes from the route schemas). */
export async function servedOpenApiDocument (): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-openapi-'))
  const nowhere = 'http://127.0.0.1:9'
  const config = loadConfig(GatewayConfig, {
    REPORT_URL: nowhere, TENANT_AUTH_URL: nowhere, GRAPH_SYNC_URL: nowhere, CONTACTS_INGEST_URL: nowhere, JWT_LOCAL_KEY_FILE: join(dir, 'key.json'), LOG_LEVEL: 'silent'
  })
  const app = Fastify({ logger: false })
  try {
    await app.register(fp(gatewayApp), { config })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const res = await fetch(`${url}/openapi.json`)
    if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`)
    return await res.json() as Record<string, unknown>
  } finally {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  }
}

export const documentText = (document: unknown) => JSON.stringify(document, null, 2) + '\n'

/** TypeScript types for openapi-fetch, from openapi-typescript (which lints the document first and throws on errors). */
export async function clientTypes (document: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(document as never, { silent: true })
  return '/* eslint-disable */\n// Generated from the gateway\'s /openapi.json by `npm run generate:client` (services/gateway); do not edit.\n' + astToString(ast)
}
