import { ContactsIngestConfig } from '@m365/contacts-ingest'
import { GatewayConfig } from '@m365/gateway'
import { GraphSyncConfig } from '@m365/graph-sync'
import { ReportConfig } from '@m365/report'
import { BaseConfig, EncryptionConfig } from '@m365/service-kit'
import { SingleProcessConfig } from '@m365/single-process'
import { TenantAuthConfig } from '@m365/tenant-auth'
import type { ConfigSection } from './reference.js'

const base = new Set(Object.keys(BaseConfig.properties))
const baseAndKeys = new Set([...base, ...Object.keys(EncryptionConfig.properties)])

/** Every process's configuration, shared parts first. */
export const sections: readonly ConfigSection[] = [
  { title: 'Every service', intro: 'Read by each of the five services and by the single-process app.', schema: BaseConfig },
  { title: 'Credentials at rest', intro: 'tenant-auth (Microsoft app credentials) and contacts-ingest (PSA webhook secrets and API keys) seal what they store with these keys.', schema: EncryptionConfig },
  { title: 'tenant-auth', intro: 'Tenant connections, admin consent and app-only tokens.', schema: TenantAuthConfig, omit: baseAndKeys },
  { title: 'graph-sync', intro: 'Microsoft Graph access, the scheduler and sync jobs.', schema: GraphSyncConfig, omit: base },
  { title: 'contacts-ingest', intro: 'PSA webhooks, their delivery worker and backfills.', schema: ContactsIngestConfig, omit: baseAndKeys },
  { title: 'report', intro: 'Report versions and the read model.', schema: ReportConfig, omit: base },
  { title: 'gateway', intro: 'The public API: where the services are, how bearer tokens are verified, and the public limits.', schema: GatewayConfig, omit: base },
  {
    title: 'Single process (`npm start`)',
    intro: 'The app that runs all five services in one process. Each service still reads its own variables above; these decide between a real Azure app and the simulators.',
    schema: SingleProcessConfig,
    omit: base
  }
]
