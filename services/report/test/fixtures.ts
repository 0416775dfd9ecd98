import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import {
  ContactsUpserted, createEvent, O365SkusReplaced, O365UsersRemoved, O365UsersUpserted, SyncCompleted, TenantConnected,
  type Contact, type EventOf, type O365User, type Sku, type UserMfa
} from '@m365/contracts'
import { handleContactUpserted } from '../src/read-model/contacts.js'
import { handleSkusReplaced, handleSyncCompleted, handleUsersBatch } from '../src/read-model/sync-staging.js'
import { handleTenantEvent } from '../src/read-model/tenants.js'
import { MSP, waitFor } from './helper.js'

export const E3 = { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', skuPartNumber: 'ENTERPRISEPACK', productName: 'Office 365 E3' }
export const BP = { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB', productName: 'Microsoft 365 Business Premium' }

export function mfa (status: UserMfa['status'], overrides: Partial<UserMfa> = {}): UserMfa {
  return {
    status,
    reason: status === 'Unknown' ? 'no Entra ID P1/P2' : null,
    registered: status === 'Unknown' ? null : status === 'Enabled',
    methods: status === 'Enabled' ? ['microsoftAuthenticatorPush'] : [],
    perUserState: 'disabled',
    securityDefaults: 'not_covered',
    conditionalAccess: 'unknown',
    explanation: null,
    ...overrides
  }
}

export function user (overrides: Partial<O365User> = {}): O365User {
  const id = overrides.id ?? randomUUID()
  return {
    id,
    objectType: 'user',
    displayName: 'Someone',
    userPrincipalName: `${id.slice(0, 8)}@contoso.onmicrosoft.com`,
    mail: null,
    otherMails: [],
    proxyAddresses: [],
    userType: 'Member',
    accountEnabled: true,
    deleted: false,
    deletedAt: null,
    licenses: [],
    mfa: mfa('Disabled'),
    ...overrides
  }
}

export function sku (license: typeof E3, total: number, assigned: number): Sku {
  return { ...license, capabilityStatus: 'Enabled', total, assigned, suspended: 0, warning: 0 }
}

export function contact (overrides: Partial<Contact> & { email?: string } = {}): Contact {
  const { email, ...rest } = overrides
  return {
    psa: 'connectwise',
    connectionId: '11111111-1111-4111-8111-111111111111',
    externalId: randomUUID(),
    companyExternalId: 'C1',
    companyName: 'Contoso Ltd',
    firstName: 'Con',
    lastName: 'Tact',
    emails: email ? [{ address: email, primary: true, sourceField: 'email' }] : [],
    phone: null,
    title: null,
    active: true,
    updatedAt: null,
    ...rest
  }
}

export interface SyncPlan {
  tenantId: string
  clientId: string
  users?: O365User[]
  removedIds?: string[]
  skus?: Sku[]
  mode?: 'full' | 'delta'
  batchSize?: number
  completedAt?: Date
}

/** The events one graph-sync run publishes: user batches, removal batches, SKUs, completion. */
export function syncEvents (plan: SyncPlan) {
  const syncId = randomUUID()
  const { tenantId, clientId, users = [], removedIds = [], batchSize = 500 } = plan
  const header = (batch: number) => ({ syncId, tenantId, clientId, batch })
  const chunks = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / batchSize) }, (_, i) => items.slice(i * batchSize, (i + 1) * batchSize))
  const upserted = chunks(users).map((part, i) => createEvent(O365UsersUpserted, { ...header(i + 1), users: part },
    { id: `${syncId}:${O365UsersUpserted.subject}:${i + 1}` }))
  const removed = chunks(removedIds).map((part, i) => createEvent(O365UsersRemoved, { ...header(i + 1), userIds: part },
    { id: `${syncId}:${O365UsersRemoved.subject}:${i + 1}` }))
  const completedAt = (plan.completedAt ?? new Date()).toISOString()
  // graph-sync publishes one per sync, even for a tenant without subscriptions
  const skus = createEvent(O365SkusReplaced, { syncId, tenantId, clientId, skus: plan.skus ?? [], at: completedAt })
  const completed = createEvent(SyncCompleted, {
    syncId,
    tenantId,
    clientId,
    mode: plan.mode ?? 'full',
    counts: { users: users.length, members: 0, guests: 0, disabled: 0, deleted: 0, orgContacts: 0, skus: plan.skus?.length ?? 0 },
    batches: { upserted: upserted.length, removed: removed.length },
    mfaSource: 'registration-report',
    completedAt
  })
  return { syncId, upserted, removed, skus, completed }
}

/** Feeds a sync straight into the read-model handlers, in publishing order. */
export async function applySyncEvents (app: FastifyInstance, events: ReturnType<typeof syncEvents>): Promise<void> {
  for (const event of events.upserted) await handleUsersBatch(app.db, 'upserted', event)
  for (const event of events.removed) await handleUsersBatch(app.db, 'removed', event)
  await handleSkusReplaced(app.db, events.skus)
  await handleSyncCompleted(app.db, events.completed)
}

export async function syncTenant (app: FastifyInstance, plan: SyncPlan) {
  const events = syncEvents(plan)
  await applySyncEvents(app, events)
  return events
}

export async function connectTenant (app: FastifyInstance, clientId: string, tenantId = randomUUID()): Promise<string> {
  await handleTenantEvent(app.db, createEvent(TenantConnected, { clientId, tenantId, displayName: 'Contoso', connectedAt: new Date().toISOString() }))
  return tenantId
}

let revision = 0
export async function upsertContact (app: FastifyInstance, clientId: string, value: Contact, rev = ++revision): Promise<EventOf<typeof ContactsUpserted>> {
  const event = createEvent(ContactsUpserted, { clientId, revision: rev, contact: value })
  await handleContactUpserted(app.db, event)
  return event
}

export async function createClient (app: FastifyInstance, name = 'Contoso'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name } })
  if (res.statusCode !== 201) throw new Error(`create client: ${res.statusCode} ${res.body}`)
  return res.json().id
}

export async function createTemplate (app: FastifyInstance, body: unknown): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/templates', headers: MSP, payload: body as object })
  if (res.statusCode !== 201) throw new Error(`create template: ${res.statusCode} ${res.body}`)
  return res.json().id
}

export async function createReport (app: FastifyInstance, clientId: string, templateId?: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `/v1/clients/${clientId}/reports`, headers: MSP, payload: { name: 'Monthly', templateId } })
  if (res.statusCode !== 201) throw new Error(`create report: ${res.statusCode} ${res.body}`)
  return res.json().id
}

/** POSTs a version and waits until it is built; returns the version. */
export async function createVersion (app: FastifyInstance, reportId: string) {
  const res = await app.inject({ method: 'POST', url: `/v1/reports/${reportId}/versions`, headers: MSP })
  if (res.statusCode !== 202) throw new Error(`create version: ${res.statusCode} ${res.body}`)
  return await waitForVersion(app, res.json().id)
}

export async function waitForVersion (app: FastifyInstance, versionId: string) {
  return await waitFor(async () => {
    const version = (await app.inject({ url: `/v1/report-versions/${versionId}`, headers: MSP })).json()
    return version.status === 'building' ? undefined : version
  }, `version ${versionId} to be built`)
}

export async function allRows (app: FastifyInstance, versionId: string, headers: Record<string, string> = MSP) {
  const res = await app.inject({ url: `/v1/report-versions/${versionId}/rows?limit=500`, headers })
  if (res.statusCode !== 200) throw new Error(`rows: ${res.statusCode} ${res.body}`)
  return res.json() as { columns: Array<{ key: string, label: string }>, items: Array<{ rowNumber: number, values: Record<string, unknown> }> }
}
