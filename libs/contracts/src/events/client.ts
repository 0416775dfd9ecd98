import { Type } from '@sinclair/typebox'
import { defineEvent } from '../define.js'
import { ClientId, Timestamp } from './common.js'

/** report owns clients; other services learn of them here. */
export const ClientCreated = defineEvent('client.created', 1, Type.Object({
  clientId: ClientId,
  name: Type.String({ minLength: 1 }),
  createdAt: Timestamp
}))

/** Tells every service to purge what it keeps for this client (tenant data is kept until this). */
export const ClientDeleted = defineEvent('client.deleted', 1, Type.Object({
  clientId: ClientId,
  deletedAt: Timestamp
}))
