import type { FastifyInstance } from 'fastify'
import clientDeleted from './client-deleted.js'
import contactsDeleted from './contacts-deleted.js'
import contactsUpserted from './contacts-upserted.js'
import o365SkusReplaced from './o365-skus-replaced.js'
import o365SyncCompleted from './o365-sync-completed.js'
import o365UsersRemoved from './o365-users-removed.js'
import o365UsersUpserted from './o365-users-upserted.js'
import { syncApply } from './sync-applied.js'
import tenantConnected from './tenant-connected.js'
import tenantDisconnected from './tenant-disconnected.js'

/** The read model's feeds; encapsulated, so they stop before the bus and the database close. */
export default async function consumers (app: FastifyInstance): Promise<void> {
  const apply = syncApply(app)
  for (const consumer of [
    tenantConnected, tenantDisconnected, o365UsersUpserted, o365UsersRemoved, o365SkusReplaced, o365SyncCompleted,
    contactsUpserted, contactsDeleted, clientDeleted
  ]) await app.register(consumer, apply)
}
