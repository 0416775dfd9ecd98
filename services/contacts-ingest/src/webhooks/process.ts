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

/**
 * Turns a stored delivery into contact state (specs/psa-webhooks.md §1.4): apply what the body settles, fetch the
 * contact from the PSA's REST API where it does not (no email, nothing on delete, Halo's hint, a tombstone, an
 * out-of-order partial). Returns the outcome for the delivery row. PSA failures throw: the worker retries later.
 */
export async function processDelivery (deps: ProcessDeps, delivery: StoredDelivery): Promise<string> {
  const connection: ConnectionRef = { id: delivery.connectionId, psa: delivery.psa }
  const ctx = { tenantKey: connection.id, receivedAt: delivery.receivedAt.toISOString() }
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

  const settle = async (externalId: string, incoming: Incoming): Promise<string> => {
    const { decision } = await apply(incoming)
    return decision.action === 'refetch' ? await refetch(externalId, decision.reason) : outcome(decision)
  }

  switch (delivery.psa) {
    case 'autotask': {
      const event = parseAutotaskWebhook(delivery.body)
      if (event.Action === 'Deactivated') {
        await deps.connections.markWebhookDeactivated(connection.id)
        return 'webhook deactivated'
      }
      const id = String(event.Id)
      if (event.Action === 'Delete') {
        return await settle(id, { kind: 'delete', externalId: id, seq: event.SequenceNumber, eventTime: toIsoUtc(event.EventTime) ?? undefined })
      }
      const need = autotaskNeedsRefetch(event)
      if (need.refetch) return await refetch(id, need.reason)
      const contact = normaliseAutotaskWebhook(event, ctx)
      return contact === null ? 'nothing to apply' : await settle(id, { kind: 'partial', contact })
    }
    case 'connectwise': {
      const event = parseConnectWiseWebhook(delivery.body)
      const id = String(event.ID)
      const need = connectWiseNeedsRefetch(event)
      if (need.refetch) return await refetch(id, need.reason)
      if (event.Action === 'deleted') return await settle(id, { kind: 'delete', externalId: id })
      const contact = normaliseConnectWiseWebhook(event, ctx)
      return contact === null ? await refetch(id, 'nothing to apply') : await settle(id, { kind: 'webhook', contact })
    }
    case 'halopsa': {
      const event = parseHaloWebhook(delivery.body)
      return await refetch(String(event.userId), `Halo ${event.action} event is a hint`)
    }
  }
}

function outcome (decision: Decision): string {
  return decision.action === 'refetch' ? 'refetch' : decision.outcome
}
