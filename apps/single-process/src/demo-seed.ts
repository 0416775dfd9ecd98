import type { FastifyBaseLogger } from 'fastify'
import { request } from 'undici'
import { DEMO_TENANTS, createTrustingDispatcher } from '@m365/m365-simulator'
import type { DemoSimulators } from './simulators.js'
import { waitFor, type GatewayClient } from './gateway-client.js'

interface Page<T> { items: T[], nextCursor: string | null }
interface Client { id: string, name: string }
interface Tenant { tenantId: string, status: string, lastSyncAt?: string | null, lastSyncOutcome?: string | null }
interface Version { id: string, number: number, status: string }

/**
 * First start with the simulators: a demo client per premium demo tenant, connected by admin consent,
 * synced, merged with PSA contacts and reported — all through the public API, so the demo exercises
 * the same paths a real MSP does. Skipped when any client exists already.
 */
export async function seedDemo (api: GatewayClient, sims: DemoSimulators, log: FastifyBaseLogger): Promise<string[]> {
  const existing = await api.get<Page<Client>>('/v1/clients?limit=1')
  if (existing.items.length > 0) return []
  const seeded: string[] = []
  const mappings: Array<{ companyExternalId: string, clientId: string }> = []
  const connection = await createPsaConnection(api, sims)
  for (const tenant of DEMO_TENANTS.filter((t) => t.registrationReport === 'available' || t.displayName.includes('Contoso'))) {
    const client = await api.post<Client>('/v1/clients', { name: tenant.displayName })
    log.info({ clientId: client.id, tenant: tenant.displayName }, 'demo: client created')
    await connectTenant(api, sims, client.id, tenant.tenantId)
    mappings.push({ companyExternalId: createPsaCompany(sims, tenant), clientId: client.id })
    seeded.push(client.id)
  }
  await backfillContacts(api, connection, mappings)
  log.info({ connectionId: connection.id }, 'demo: PSA contacts pulled')
  for (const clientId of seeded) await firstReport(api, clientId, log)
  return seeded
}

async function connectTenant (api: GatewayClient, sims: DemoSimulators, clientId: string, tenantId: string) {
  const { consentUrl } = await api.post<{ consentUrl: string }>(`/v1/clients/${clientId}/tenants/connect`, { tenantId })
  // the tenant's Global Administrator approves in the browser; the simulator takes that decision as parameters
  const approve = new URL(consentUrl)
  approve.searchParams.set('sim_tenant', tenantId)
  approve.searchParams.set('sim_decision', 'approve')
  const dispatcher = createTrustingDispatcher(sims.m365.caPem)
  try {
    const consent = await request(approve, { dispatcher, maxRedirections: 0 } as Parameters<typeof request>[1])
    await consent.body.dump()
    const callback = consent.headers.location
    if (typeof callback !== 'string') throw new Error(`admin consent answered ${consent.statusCode} without a redirect`)
    const res = await fetch(callback, { headers: { accept: 'application/json' } })
    if (!res.ok) throw new Error(`consent callback answered ${res.status}: ${await res.text()}`)
  } finally {
    await dispatcher.close()
  }
}

async function createPsaConnection (api: GatewayClient, sims: DemoSimulators) {
  const { connectwise } = sims.psa.clientOptions
  const { baseUrl, ...credentials } = connectwise as unknown as { baseUrl: string } & Record<string, string>
  return await api.post<{ id: string }>('/v1/psa-connections', {
    psa: 'connectwise',
    name: 'Demo ConnectWise',
    baseUrl,
    credentials: { companyId: credentials.companyId, publicKey: credentials.publicKey, privateKey: credentials.privateKey, clientId: credentials.clientId }
  })
}

/** A PSA company with contacts for most of the tenant's people, plus one with no Microsoft 365 account. */
function createPsaCompany (sims: DemoSimulators, tenant: typeof DEMO_TENANTS[number]): string {
  const company = sims.psa.admin.createCompany({ name: tenant.displayName })
  for (const user of Object.values(tenant.scenarios)) {
    if (user.kind !== 'user' || user.scenario === 'unlicensed') continue
    const [first, ...rest] = user.displayName.split(' ')
    sims.psa.admin.createContact({ companyId: company.id, firstName: first ?? user.displayName, lastName: rest.join(' ') || '-', emails: [user.address.toUpperCase()], title: 'Staff' })
  }
  sims.psa.admin.createContact({ companyId: company.id, firstName: 'Pat', lastName: 'Outsider', emails: [`pat.outsider@${tenant.defaultDomain}`], title: 'Contractor' })
  return String(company.id)
}

async function backfillContacts (api: GatewayClient, connection: { id: string }, companies: Array<{ companyExternalId: string, clientId: string }>) {
  await api.put(`/v1/psa-connections/${connection.id}/companies`, { companies })
  const run = await api.post<{ id: string }>(`/v1/psa-connections/${connection.id}/backfill`)
  await waitFor(`PSA backfill ${run.id}`, async () => {
    const state = await api.get<{ status: string, error: string | null }>(`/v1/psa-connections/${connection.id}/backfills/${run.id}`)
    if (state.status === 'failed') throw new Error(`PSA backfill failed: ${state.error ?? 'no reason given'}`)
    return state.status === 'completed' ? true : undefined
  })
}

async function firstReport (api: GatewayClient, clientId: string, log: FastifyBaseLogger) {
  await waitFor(`the first sync of client ${clientId}`, async () => {
    const tenants = await api.get<Page<Tenant>>(`/v1/clients/${clientId}/tenants`)
    const synced = tenants.items.every((t) => t.lastSyncOutcome === 'completed')
    return tenants.items.length > 0 && synced ? true : undefined
  })
  const report = await api.post<{ id: string }>(`/v1/clients/${clientId}/reports`, { name: 'Microsoft 365 licences and MFA' })
  const created = await api.post<Version>(`/v1/reports/${report.id}/versions`)
  const version = await waitFor(`report version ${created.id}`, async () => {
    const v = await api.get<Version>(`/v1/report-versions/${created.id}`)
    if (v.status === 'failed') throw new Error(`report version ${created.id} failed to build`)
    return v.status === 'ready' ? v : undefined
  })
  log.info({ clientId, reportId: report.id, versionId: version.id }, 'demo: first report version ready')
}
