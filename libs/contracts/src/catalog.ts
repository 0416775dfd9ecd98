import { ClientCreated, ClientDeleted } from './events/client.js'
import { ContactsDeleted, ContactsUpserted } from './events/contacts.js'
import { O365SkusReplaced, O365UsersRemoved, O365UsersUpserted } from './events/o365.js'
import { ReportVersionCreated } from './events/report.js'
import { SyncCompleted, SyncFailed, SyncProgress, SyncRequested, SyncStarted } from './events/sync.js'
import { TenantConnected, TenantConsentRevoked, TenantDisconnected } from './events/tenant.js'
import { TokenRequest } from './requests/tokens.js'

/** The whole event vocabulary, e.g. for creating streams or documenting subjects. */
export const allEvents = [
  ClientCreated, ClientDeleted,
  TenantConnected, TenantDisconnected, TenantConsentRevoked,
  SyncRequested, SyncStarted, SyncProgress, SyncCompleted, SyncFailed,
  O365UsersUpserted, O365UsersRemoved, O365SkusReplaced,
  ContactsUpserted, ContactsDeleted,
  ReportVersionCreated
] as const

export const allRequests = [TokenRequest] as const
