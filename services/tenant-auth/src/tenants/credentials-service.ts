import type { AnyDb } from '@m365/db'
import type { GraphTransport } from '@m365/graph'
import type { FastifyBaseLogger } from 'fastify'
import { HttpProblem, type KeyRing } from '@m365/service-kit'
import { clientExists } from '../clients/client-repository.js'
import { boundElsewhere } from '../connect/consent-service.js'
import type { CredentialType } from '../db/schema.js'
import { InvalidCertificateError, normaliseCertificate, type AppCredential } from '../identity/app-credential.js'
import { confirmTenant } from '../identity/confirm-tenant.js'
import type { TokenBroker } from '../identity/token-broker.js'
import { storeCredential } from './credential-store.js'
import { activeBinding, bindTenant } from './tenant-repository.js'

export type CredentialsBody =
  | { clientId: string, clientSecret: string }
  | { clientId: string, certificatePem: string, privateKeyPem: string }

export interface CredentialsServiceOptions {
  db: AnyDb
  ring: KeyRing
  broker: TokenBroker
  transport: GraphTransport
  graphBaseUrl: string
  log: FastifyBaseLogger
  onEvents: () => void
}

/**
 * A tenant's own app registration (spec §7, the alternative to admin consent): checked against
 * Microsoft first (a token, then /organization must be this tenant), then stored encrypted and
 * the tenant connected to the client. Answers only the type and app id, never the secret.
 */
export class CredentialsService {
  constructor (private readonly o: CredentialsServiceOptions) {}

  async put (clientId: string, tenantId: string, body: CredentialsBody): Promise<{ credentialType: CredentialType, clientId: string }> {
    const { db, ring, broker, log } = this.o
    if (!await clientExists(db, clientId)) throw new HttpProblem(404, 'NOT_FOUND', `client ${clientId} does not exist`)
    const binding = await activeBinding(db, tenantId)
    if (binding && binding.clientId !== clientId) throw boundElsewhere(tenantId)
    const credential = toCredential(body)
    const confirmed = await confirmTenant({
      tenantId, credential, broker, graphBaseUrl: this.o.graphBaseUrl, transport: this.o.transport, log, timeoutMs: 0, initialDelayMs: 1
    })
    if (!confirmed.ok) {
      if (confirmed.kind === 'unavailable') throw new HttpProblem(502, 'IDENTITY_UNAVAILABLE', `could not check the credentials: ${confirmed.reason}`)
      throw new HttpProblem(422, 'CREDENTIALS_REJECTED', `Microsoft rejected the credentials for tenant ${tenantId}: ${confirmed.reason}`)
    }
    const bound = await db.transaction(async (tx) => {
      const result = await bindTenant(tx, { clientId, tenantId, displayName: confirmed.displayName })
      if (result.outcome === 'bound_elsewhere') throw boundElsewhere(tenantId) // rolls the transaction back
      await storeCredential(tx, ring, tenantId, credential)
      return result
    })
    broker.forget(tenantId)
    if (bound.outcome === 'connected') this.o.onEvents()
    log.info({ clientId, tenantId, appClientId: credential.clientId, credentialType: credential.type }, 'tenant credentials stored')
    return { credentialType: credential.type, clientId: credential.clientId }
  }
}

function toCredential (body: CredentialsBody): AppCredential {
  const appClientId = body.clientId.toLowerCase()
  if ('clientSecret' in body) return { type: 'client_secret', clientId: appClientId, clientSecret: body.clientSecret }
  try {
    return { type: 'certificate', clientId: appClientId, ...normaliseCertificate(body.certificatePem, body.privateKeyPem) }
  } catch (err) {
    if (err instanceof InvalidCertificateError) throw new HttpProblem(400, 'VALIDATION_FAILED', err.message)
    throw err
  }
}
