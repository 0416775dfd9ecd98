import { createEvent, TenantConnected, TenantConsentRevoked, TenantDisconnected, type EventContract, type EventData } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { outbox } from '../db/schema.js'

/** Every contract this service publishes; the publisher looks rows up here by subject. */
export const publishedContracts: readonly EventContract[] = [TenantConnected, TenantDisconnected, TenantConsentRevoked]

/**
 * Writes an event in the caller's transaction, so it exists exactly when the state change does.
 * The publisher sends it later with the event id as Nats-Msg-Id (a resend is dropped as a duplicate).
 */
export async function enqueueEvent<C extends EventContract> (tx: AnyDb, contract: C, data: EventData<C>): Promise<string> {
  const event = createEvent(contract, data)
  await tx.insert(outbox).values({ id: event.id, subject: event.subject, payload: event })
  return event.id
}
