import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import {
  createEvent, MAX_BATCH, O365SkusReplaced, O365UsersUpserted, SyncCompleted, TenantConnected, type O365User
} from '@m365/contracts'
import type { BenchEnvironment } from './environment.js'
import { waitFor } from './timing.js'

const PRINCIPAL = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'bench' }) }
export const MSP_HEADERS = { ...PRINCIPAL, 'content-type': 'application/json' }

/** JSON over internal HTTP to a service, as the gateway would call it (MSP principal header). */
export async function callService<T> (baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await request(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? PRINCIPAL : MSP_HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`)
  return JSON.parse(text) as T
}

const SKUS = [
  { skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', skuPartNumber: 'O365_BUSINESS_PREMIUM', productName: 'Microsoft 365 Business Standard' },
  { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB', productName: 'Microsoft 365 Business Premium' },
  { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', skuPartNumber: 'SPE_E3', productName: 'Microsoft 365 E3' }
]

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
/** A stable uuid per (kind, i), readable in the database. */
const benchId = (kind: number, i: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(i, 12)}`

function user (tenant: number, i: number): O365User {
  const mail = `user${i}@tenant${tenant}.example.com`
  const registered = i % 10 < 7
  return {
    id: benchId(tenant, i),
    objectType: 'user',
    displayName: `User ${i} of tenant ${tenant}`,
    userPrincipalName: mail,
    mail,
    otherMails: [],
    proxyAddresses: [`SMTP:${mail}`, `smtp:u${i}@alias${tenant}.example.com`],
    userType: i % 20 === 0 ? 'Guest' : 'Member',
    accountEnabled: i % 20 !== 1,
    deleted: false,
    deletedAt: null,
    licenses: i % 20 === 2 ? [] : [SKUS[i % 3]!],
    mfa: {
      status: registered ? 'Enabled' : 'Disabled',
      reason: null,
      registered,
      methods: registered ? ['microsoftAuthenticatorPush'] : [],
      perUserState: 'disabled',
      securityDefaults: 'covered',
      conditionalAccess: 'not_covered',
      explanation: registered ? null : 'security defaults ask this user to register, but no method is registered yet'
    }
  }
}

export interface ReportFixture {
  clientId: string
  tenantId: string
  users: number
  contacts: number
}

const fixtures = new Map<string, Promise<ReportFixture>>()

/**
 * A client in report's read model with `users` O365 users (one tenant, as graph-sync's events bring
 * them) and `contacts` PSA contacts (as contacts-ingest's events bring them), `matchShare` of which
 * carry a user's mail address (every third upper-cased, as PSAs send them). Built once per run and
 * size; needs report running.
 */
export async function reportFixture (env: BenchEnvironment, reportUrl: string, sizes: { users: number, contacts: number, matchShare: number }): Promise<ReportFixture> {
  const key = `${sizes.users}:${sizes.contacts}:${sizes.matchShare}`
  let fixture = fixtures.get(key)
  if (!fixture) {
    fixture = seed(env, reportUrl, sizes)
    fixtures.set(key, fixture)
    fixture.catch(() => fixtures.delete(key))
  }
  return await fixture
}

async function seed (env: BenchEnvironment, reportUrl: string, sizes: { users: number, contacts: number, matchShare: number }): Promise<ReportFixture> {
  const { bus, sql } = env
  const tenantNo = fixtures.size + 1
  const client = await callService<{ id: string }>(reportUrl, 'POST', '/v1/clients', { name: `Bench client ${tenantNo}` })
  const clientId = client.id
  const tenantId = randomUUID()
  await bus.publish(TenantConnected, createEvent(TenantConnected, { clientId, tenantId, displayName: 'Bench tenant', connectedAt: new Date().toISOString() }))

  // a full sync's events, as graph-sync publishes them
  const syncId = randomUUID()
  const batches = Math.ceil(sizes.users / MAX_BATCH)
  await bus.publish(O365SkusReplaced, createEvent(O365SkusReplaced, {
    syncId,
    tenantId,
    clientId,
    at: new Date().toISOString(),
    skus: SKUS.map((s) => ({ ...s, capabilityStatus: 'Enabled', total: sizes.users, assigned: Math.ceil(sizes.users / 3), suspended: 0, warning: 0 }))
  }))
  for (let b = 0; b < batches; b++) {
    const users: O365User[] = []
    for (let i = b * MAX_BATCH; i < Math.min(sizes.users, (b + 1) * MAX_BATCH); i++) users.push(user(tenantNo, i))
    await bus.publish(O365UsersUpserted, createEvent(O365UsersUpserted, { syncId, tenantId, clientId, batch: b + 1, users }))
  }
  await bus.publish(SyncCompleted, createEvent(SyncCompleted, {
    syncId,
    tenantId,
    clientId,
    mode: 'full',
    mfaSource: 'registration-report',
    completedAt: new Date().toISOString(),
    counts: { users: sizes.users, members: sizes.users, guests: 0, disabled: 0, deleted: 0, orgContacts: 0, skus: SKUS.length },
    batches: { upserted: batches, removed: 0 }
  }))

  // contacts as report's contacts.upserted handler stores them (read-model/contacts.ts), written in one statement:
  // one event per contact through a consumer of concurrency 1 would take minutes, and is not what is measured here
  const connectionId = randomUUID()
  const matching = Math.round(sizes.contacts * sizes.matchShare)
  await sql`
    with c as (
      select i, case when i < ${matching}
        then 'user' || floor(i * ${sizes.users}::numeric / greatest(1, ${matching}))::int || '@tenant' || ${tenantNo}::int || '.example.com'
        else 'someone' || i || '@elsewhere.example.org' end as address
      from generate_series(0, ${sizes.contacts - 1}) i
    ), contact as (
      insert into report.contacts (psa, connection_id, external_id, client_id, revision, deleted, first_name, last_name, primary_email,
        emails, phone, title, company_external_id, company_name, active, updated_at, received_at)
      select 'connectwise', ${connectionId}::uuid, (100000 + i)::text, ${clientId}::uuid, 1, false, 'First' || i, 'Last' || i, address,
        jsonb_build_array(jsonb_build_object('address', case when i % 3 = 0 then upper(address) else address end, 'primary', true,
          'sourceField', 'communicationItems')),
        '+1 555 ' || lpad(to_hex(i), 7, '0'), 'Staff', '42', 'Bench Company', true, timestamptz '2025-01-01' + i * interval '1 second', now()
      from c returning external_id
    )
    insert into report.contact_addresses (psa, connection_id, external_id, client_id, address, is_primary)
    select 'connectwise', ${connectionId}::uuid, (100000 + i)::text, ${clientId}::uuid, address, true from c`

  await waitFor('report to hold the fixture', async () => {
    const [row] = await sql<Array<{ users: number, contacts: number }>>`
      select (select count(*)::int from report.o365_users where client_id = ${clientId}) as users,
             (select count(*)::int from report.contacts where client_id = ${clientId}) as contacts`
    return row!.users === sizes.users && row!.contacts === sizes.contacts
  }, { timeoutMs: 1_800_000, intervalMs: 250 })
  return { clientId, tenantId, users: sizes.users, contacts: sizes.contacts }
}
