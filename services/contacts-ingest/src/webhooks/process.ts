import type { AnyDb } from '@m365/db'
import {
  autotaskNeedsRefetch, connectWiseNeedsRefetch, normaliseAutotaskWebhook, normaliseConnectWiseWebhook, parseAutotaskWebhook,
  parseConnectWiseWebhook, parseHaloWebhook, toIsoUtc
} from '@m365/psa'
import type { PsaClients } from '../connections/psa-clients.js'
import type { Connections } from '../connections/repository.js'
import { applyIncoming } from '../contacts/apply.js'
import type { Decision, Incoming } from '../contacts/decide.js'
import type { ConnectionRef } from '../contacts/write.js'
import type { PsaType } from '../db/schema.js'

export interface ProcessDeps {
  db: AnyDb
  clients: PsaClients
  connections: Pick<Connections, 'markWebhookDeactivated'>
}

export interface StoredDelivery { id: string, connectionId: string, psa: PsaType, body: Buffer, receivedAt: Date }

/** What a delivery asks for, read from its body alone (no database, no PSA). */
export type DeliveryPlan =
  /** the body settles it against the stored contact (unless deciding says refetch) */
  | { kind: 'settle', externalId: string, incoming: Incoming }
  /** only the PSA's REST API can say */
  | { kind: 'refetch', externalId: string, reason: string }
  | { kind: 'deactivated' }
  | { kind: 'nothing', outcome: string }

/**
 * Reads a stored delivery (specs/psa-webhooks.md §1.4): what the body settles, or that the contact must be fetched
 * from the PSA (no email, nothing on delete, Halo's hint, an out-of-order partial). Throws PsaPayloadError on a body
 * that is not what the PSA sends.
 */
export function planDelivery (delivery: StoredDelivery): DeliveryPlan {
  const ctx = { tenantKey: delivery.connectionId, receivedAt: delivery.receivedAt.toISOString() }
  switch (delivery.psa) {
    case 'autotask': {
      const event = parseAutotaskWebhook(delivery.body)
      if (event.Action === 'Deactivated') return { kind: 'deactivated' }
      const id = String(event.Id)
      if (event.Action === 'Delete') {
        return { kind: 'settle', externalId: id, incoming: { kind: 'delete', externalId: id, seq: event.SequenceNumber, eventTime: toIsoUtc(event.EventTime) ?? undefined } }
      }
      const need = autotaskNeedsRefetch(event)
      if (need.refetch) return { kind: 'refetch', externalId: id, reason: need.reason }
      const contact = normaliseAutotaskWebhook(event, ctx)
      return contact === null ? { kind: 'nothing', outcome: 'nothing to apply' } : { kind: 'settle', externalId: id, incoming: { kind: 'partial', contact } }
    }
    case 'connectwise': {
      const event = parseConnectWiseWebhook(delivery.body)
      const id = String(event.ID)
      const need = connectWiseNeedsRefetch(event)
      if (need.refetch) return { kind: 'refetch', externalId: id, reason: need.reason }
      if (event.Action === 'deleted') return { kind: 'settle', externalId: id, incoming: { kind: 'delete', externalId: id } }
      const contact = normaliseConnectWiseWebhook(event, ctx)
      return contact === null ? { kind: 'refetch', externalId: id, reason: 'nothing to apply' } : { kind: 'settle', externalId: id, incoming: { kind: 'webhook', contact } }
    }
    case 'halopsa': {
      const event = parseHaloWebhook(delivery.body)
      return { kind: 'refetch', externalId: String(event.userId), reason: `Halo ${event.action} event is a hint` }
    }
  }
}

/**
 * Turns a stored delivery into contact state, on its own: applies what the body settles, fetches the contact from
 * the PSA's REST API where it does not. Returns the outcome for the delivery row. PSA failures throw: the worker
 * retries later. `refetchReason`: deciding already said the PSA must be asked (a batch did, under the contact's lock),
 * so the contact is fetched straight away (REST data is the PSA's truth whenever it is applied).
 */
export async function processDelivery (deps: ProcessDeps, delivery: StoredDelivery, refetchReason?: string): Promise<string> {
  const connection: ConnectionRef = { id: delivery.connectionId, psa: delivery.psa }
  const apply = (incoming: Incoming) => applyIncoming(deps.db, connection, incoming)

  const refetch = async (externalId: string, reason: string): Promise<string> => {
    const client = await deps.clients.get(connection.id)
    const observedAt = new Date()
    const contact = await client.getContact(externalId)
    const { decision } = await apply(contact === null
      ? { kind: 'delete', externalId }
      : { kind: 'rest', contact, observedAt })
    return `refetched (${reason}): ${outcome(decision)}`
  }

  const plan = planDelivery(delivery)
  if (refetchReason !== undefined && plan.kind === 'settle') return await refetch(plan.externalId, refetchReason)
  switch (plan.kind) {
    case 'deactivated':
      await deps.connections.markWebhookDeactivated(connection.id)
      return 'webhook deactivated'
    case 'nothing':
      return plan.outcome
    case 'refetch':
      return await refetch(plan.externalId, plan.reason)
    case 'settle': {
      const { decision } = await apply(plan.incoming)
      return decision.action === 'refetch' ? await refetch(plan.externalId, decision.reason) : outcome(decision)
    }
  }
}

export function outcome (decision: Decision): string {
  return decision.action === 'refetch' ? 'refetch' : decision.outcome
}
