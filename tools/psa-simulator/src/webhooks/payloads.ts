import { randomUUID } from 'node:crypto'
import type { SimContact } from '../model.js'
import { toAutotaskContact } from '../shapes/autotask.js'
import { toConnectWiseContact } from '../shapes/connectwise.js'

export interface ConnectWiseWebhookOptions {
  action: 'added' | 'updated' | 'deleted'
  /** Metadata.key_url: use `sim.keyUrl()` */
  keyUrl: string
  /** `full` (default); `no-email`: Entity without communication items; `no-entity`: Entity null */
  variant?: 'full' | 'no-email' | 'no-entity'
  /** ConnectWise sends Entity as a JSON string (default); `object` for the defensive-parsing case */
  entityAs?: 'string' | 'object'
  companyId?: string
  memberId?: string
  messageId?: string
}

/** A ConnectWise callback body for a simulator contact (specs/psa-webhooks.md §2.2). */
export function buildConnectWiseWebhook (contact: SimContact, options: ConnectWiseWebhookOptions): Record<string, unknown> {
  const variant = options.variant ?? 'full'
  let entity: Record<string, unknown> | null = null
  if (variant !== 'no-entity') {
    entity = toConnectWiseContact(contact)
    if (variant === 'no-email') delete entity.communicationItems
  }
  return {
    MessageId: options.messageId ?? randomUUID(),
    FromUrl: new URL(options.keyUrl).host,
    CompanyId: options.companyId ?? 'simmsp',
    MemberId: options.memberId ?? 'simulator',
    Action: options.action,
    Type: 'contact',
    ID: contact.id,
    ProductInstanceId: '0f3c2b1a-aaaa-bbbb-cccc-111122223333',
    Entity: entity === null ? null : options.entityAs === 'object' ? entity : JSON.stringify(entity),
    Metadata: { key_url: options.keyUrl },
    CallbackObjectRecId: 1
  }
}

/** The spec's suggested subscribed + display-always fields (§3.1). */
export const AUTOTASK_DEFAULT_FIELDS = Object.freeze([
  'id', 'firstName', 'lastName', 'emailAddress', 'emailAddress2', 'emailAddress3', 'isActive', 'companyID', 'title', 'phone',
  'mobilePhone', 'externalID', 'lastModifiedDate'
])

export interface AutotaskWebhookOptions {
  action: 'Create' | 'Update' | 'Delete'
  /** the webhook's WebhookGUID */
  guid: string
  /** default: a counter per process */
  sequenceNumber?: number
  /** Autotask field names `Fields` carries; default AUTOTASK_DEFAULT_FIELDS. Delete always sends `{}` */
  fields?: readonly string[]
  personId?: number
  /** default now */
  eventTime?: string
}

let sequence = 0

/** An Autotask contact webhook body for a simulator contact (specs/psa-webhooks.md §3.2). */
export function buildAutotaskWebhook (contact: SimContact, options: AutotaskWebhookOptions): Record<string, unknown> {
  const row = toAutotaskContact(contact)
  const names = options.fields ?? AUTOTASK_DEFAULT_FIELDS
  const fields = options.action === 'Delete' ? {} : Object.fromEntries(names.filter((name) => name in row).map((name) => [name, row[name]]))
  return {
    Action: options.action,
    Guid: options.guid,
    EntityType: 'Contact',
    Id: contact.id,
    Fields: fields,
    EventTime: options.eventTime ?? new Date().toISOString(),
    SequenceNumber: options.sequenceNumber ?? ++sequence,
    PersonID: options.personId ?? 29682885
  }
}

export interface HaloWebhookOptions {
  action: 'create' | 'update' | 'delete'
  /** default `new user`, `user updated`, `user deleted` (Halo's real event names are unconfirmed, §4.2) */
  event?: string
}

/** A HaloPSA webhook body: an event name and a little of the user (specs/psa-webhooks.md §4.2, illustrative). */
export function buildHaloWebhook (contact: SimContact, options: HaloWebhookOptions): Record<string, unknown> {
  const event = options.event ?? { create: 'new user', update: 'user updated', delete: 'user deleted' }[options.action]
  return { event, user: { id: contact.id, client_id: contact.company.id, emailaddress: contact.emails[0] ?? '' } }
}
