import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (tools/manifest-check/test → ../../..). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export const services = ['tenant-auth', 'graph-sync', 'contacts-ingest', 'report', 'gateway'] as const
export type ServiceName = typeof services[number]

/** Reached from outside through the Ingress: the portal API and the PSA webhooks. */
export const publicServices: readonly ServiceName[] = ['gateway', 'contacts-ingest']
/** Services that own tables and so ship `dist/migrate.js` (the gateway holds no data). */
export const migratingServices: readonly ServiceName[] = ['tenant-auth', 'graph-sync', 'contacts-ingest', 'report']
export const simulators = ['m365-simulator', 'psa-simulator'] as const

/** The internal URL variable through which the gateway reaches each service. */
export const internalUrlVariables: Record<Exclude<ServiceName, 'gateway'>, string> = {
  'tenant-auth': 'TENANT_AUTH_URL',
  'graph-sync': 'GRAPH_SYNC_URL',
  'contacts-ingest': 'CONTACTS_INGEST_URL',
  report: 'REPORT_URL'
}

const common = ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'NATS_URL']

/** What each service needs in its environment (README's configuration table, per service). */
export const requiredEnv: Record<ServiceName, readonly string[]> = {
  'tenant-auth': [...common, 'ENCRYPTION_KEY', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AUTHORITY_HOST', 'GRAPH_BASE_URL', 'PUBLIC_BASE_URL'],
  'graph-sync': [...common, 'GRAPH_BASE_URL', 'SYNC_INTERVAL_MINUTES', 'SYNC_CONCURRENCY'],
  'contacts-ingest': [...common, 'ENCRYPTION_KEY'],
  report: common,
  gateway: [...common, 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URL', ...Object.values(internalUrlVariables)]
}

/** Secrets, and the only services allowed to see them (the Azure app secret never leaves tenant-auth). */
export const secretVariables: Record<string, readonly ServiceName[]> = {
  DATABASE_URL: services,
  ENCRYPTION_KEY: ['tenant-auth', 'contacts-ingest'],
  AZURE_CLIENT_ID: ['tenant-auth'],
  AZURE_CLIENT_SECRET: ['tenant-auth']
}

/** The JetStream consumer KEDA watches: graph-sync's durable on sync.requested, in the JOBS work queue. */
export const kedaConsumer = { stream: 'JOBS', durable: 'graph-sync-sync-requested', subject: 'sync.requested' }

/** Where the ingress controller and Prometheus run (the NetworkPolicies name them). */
export const ingressControllerNamespace = 'ingress-nginx'
export const prometheusNamespace = 'monitoring'
