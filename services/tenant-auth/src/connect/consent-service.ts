import type { GraphTransport } from '@m365/graph'
import type { AnyDb } from '@m365/db'
import type { FastifyBaseLogger } from 'fastify'
import { HttpProblem, type KeyRing } from '@m365/service-kit'
import { clientExists } from '../clients/client-repository.js'
import type { AppCredential } from '../identity/app-credential.js'
import { adminConsentUrl } from '../identity/authority.js'
import { confirmTenant } from '../identity/confirm-tenant.js'
import type { TokenBroker } from '../identity/token-broker.js'
import { activeBinding, bindTenant, lastBinding, wasReleased } from '../tenants/tenant-repository.js'
import { consumeAttempt, createAttempt, finishAttempt } from './attempts.js'
import { mintState, verifyState } from './state.js'

export const CALLBACK_PATH = '/v1/connect/callback'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface ConsentServiceOptions {
  db: AnyDb
  ring: KeyRing
  broker: TokenBroker
  transport: GraphTransport
  log: FastifyBaseLogger
  mspCredential: AppCredential | undefined
  /** AZURE_TENANT_ID, lower case: the MSP app's home tenant, if configured. */
  homeTenantId: string | undefined
  authorityHost: string
  graphBaseUrl: string
  publicBaseUrl: string
  stateTtlSeconds: number
  confirmTimeoutMs: number
  confirmInitialDelayMs: number
  onEvents: () => void
  signal: AbortSignal
}

/** What Microsoft appends to the redirect URI (spec §7), plus nothing we trust on its own. */
export interface CallbackQuery {
  admin_consent?: string
  tenant?: string
  state?: string
  scope?: string
  error?: string
  error_description?: string
}

export type CallbackFailure = HttpProblem & { error?: string, errorDescription?: string }
export interface CallbackSuccess { clientId: string, tenantId: string, displayName: string | null, alreadyConnected: boolean }

const fail = (status: number, code: string, detail: string, microsoft?: { error: string, errorDescription?: string | undefined }): CallbackFailure =>
  Object.assign(new HttpProblem(status, code, detail), microsoft ?? {})

const stateRefused = {
  unknown: () => fail(400, 'STATE_INVALID', 'the state is not one we issued'),
  used: () => fail(400, 'STATE_ALREADY_USED', 'this consent link was already used; start the connection again'),
  expired: () => fail(400, 'STATE_EXPIRED', 'this consent link expired; start the connection again')
}

/** The admin-consent flow (spec §7): a signed single-use state out, a confirmed tenant back. */
export class ConsentService {
  constructor (private readonly o: ConsentServiceOptions) {}

  get redirectUri (): string {
    return `${this.o.publicBaseUrl.replace(/\/+$/, '')}${CALLBACK_PATH}`
  }

  async start (input: { clientId: string, requestedBy: string, tenantHint?: string | undefined }) {
    const { db, ring, mspCredential } = this.o
    if (!mspCredential) throw new HttpProblem(503, 'NO_AZURE_APP', 'no Azure app configured (AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH); per-tenant credentials still work')
    if (!await clientExists(db, input.clientId)) throw new HttpProblem(404, 'NOT_FOUND', `client ${input.clientId} does not exist`)
    if (input.tenantHint) await this.assertBindable(input.tenantHint, input.clientId)
    const { state, id } = mintState(ring)
    const expiresAt = new Date(Date.now() + this.o.stateTtlSeconds * 1000)
    await createAttempt(db, { id, clientId: input.clientId, requestedBy: input.requestedBy, tenantHint: input.tenantHint ?? null, expiresAt })
    const consentUrl = adminConsentUrl({
      authorityHost: this.o.authorityHost, appClientId: mspCredential.clientId, redirectUri: this.redirectUri, state, tenantId: input.tenantHint ?? null
    })
    return { consentUrl, state, expiresAt: expiresAt.toISOString() }
  }

  /** Resolves with the connected tenant or rejects with a CallbackFailure (a problem with Microsoft's error, if any). */
  async complete (q: CallbackQuery): Promise<CallbackSuccess> {
    const attemptId = verifyState(this.o.ring, q.state)
    if (q.error) throw await this.providerError(attemptId, q.error, q.error_description)
    if (!attemptId) throw fail(400, 'STATE_INVALID', 'the state is missing, malformed or not ours')
    const consumed = await consumeAttempt(this.o.db, attemptId)
    if (consumed.result !== 'ok') throw stateRefused[consumed.result]()
    const attempt = consumed.attempt
    try {
      const result = await this.connect(attempt.clientId, attempt.tenantHint, q)
      await finishAttempt(this.o.db, attempt.id, { outcome: 'connected', tenantId: result.tenantId })
      return result
    } catch (err) {
      await finishAttempt(this.o.db, attempt.id, { outcome: 'failed', error: (err as Error).message, ...(q.tenant && UUID.test(q.tenant) ? { tenantId: q.tenant } : {}) })
      throw err
    }
  }

  /**
   * Anyone can send a browser to this address with an error text of their choosing (phishing under
   * our name), so Microsoft's text is shown only with a live state of ours, used up now; without one
   * (the v1 shape has none, spec §7) a generic message.
   */
  private async providerError (attemptId: string | undefined, error: string, description: string | undefined): Promise<CallbackFailure> {
    if (!attemptId || (await consumeAttempt(this.o.db, attemptId)).result !== 'ok') {
      return fail(400, 'CONSENT_FAILED', 'the connection was not completed at Microsoft; start it again from the MSP portal')
    }
    const detail = `Microsoft answered ${error}${description ? `: ${description}` : ''}`
    await finishAttempt(this.o.db, attemptId, { outcome: 'failed', error: detail })
    return fail(400, 'CONSENT_FAILED', detail, { error, errorDescription: description })
  }

  private async connect (clientId: string, tenantHint: string | null, q: CallbackQuery): Promise<CallbackSuccess> {
    const { db, mspCredential, log } = this.o
    const tenantId = q.tenant?.toLowerCase()
    if (!tenantId || !UUID.test(tenantId) || q.admin_consent?.toLowerCase() !== 'true') {
      throw fail(400, 'CONSENT_FAILED', 'the callback carries no granted consent for a tenant id')
    }
    if (tenantHint && tenantHint.toLowerCase() !== tenantId) {
      throw fail(400, 'TENANT_MISMATCH', `consent was granted in tenant ${tenantId}, not in ${tenantHint} as requested`)
    }
    if (!await clientExists(db, clientId)) throw fail(404, 'NOT_FOUND', `client ${clientId} does not exist`)
    if (!mspCredential) throw fail(503, 'NO_AZURE_APP', 'no Azure app configured')
    await this.assertBindable(tenantId, clientId)
    if (!tenantHint) await this.assertUnnamedBindable(tenantId, clientId)
    const confirmed = await confirmTenant({
      tenantId,
      credential: mspCredential,
      broker: this.o.broker,
      graphBaseUrl: this.o.graphBaseUrl,
      transport: this.o.transport,
      log,
      timeoutMs: this.o.confirmTimeoutMs,
      initialDelayMs: this.o.confirmInitialDelayMs,
      signal: this.o.signal
    })
    if (!confirmed.ok) {
      if (confirmed.kind === 'mismatch') throw fail(400, 'TENANT_MISMATCH', confirmed.reason)
      throw fail(502, 'CONSENT_NOT_CONFIRMED', `could not confirm access to tenant ${tenantId}: ${confirmed.reason}`)
    }
    const bound = await db.transaction((tx) => bindTenant(tx, { clientId, tenantId, displayName: confirmed.displayName, takeOver: tenantHint !== null }))
    if (bound.outcome === 'bound_elsewhere') throw bound.status === 'disconnected' ? notNamed(tenantId, HAD_ANOTHER_CLIENT) : boundElsewhere(tenantId)
    if (bound.outcome === 'connected') this.o.onEvents()
    log.info({ clientId, tenantId, outcome: bound.outcome }, 'tenant consent confirmed')
    return { clientId, tenantId, displayName: confirmed.displayName, alreadyConnected: bound.outcome === 'already_connected' }
  }

  private async assertBindable (tenantId: string, clientId: string): Promise<void> {
    const binding = await activeBinding(this.o.db, tenantId)
    if (binding && binding.clientId !== clientId) throw boundElsewhere(tenantId)
  }

  /**
   * The callback's `tenant` is forgeable (spec §7) and the confirmation only proves the MSP app is in
   * that tenant, so an attempt that named no tenant may not take one the app is in for other reasons:
   * one another client had (still disconnected there, or the client since deleted), or the MSP's own.
   * Naming it when starting, the MSP vouches for it.
   */
  private async assertUnnamedBindable (tenantId: string, clientId: string): Promise<void> {
    if (tenantId === this.o.homeTenantId) throw notNamed(tenantId, 'it is the MSP\'s own tenant')
    const last = await lastBinding(this.o.db, tenantId)
    if (last && last.clientId !== clientId) throw notNamed(tenantId, HAD_ANOTHER_CLIENT)
    if (!last && await wasReleased(this.o.db, tenantId)) throw notNamed(tenantId, HAD_ANOTHER_CLIENT)
  }
}

const HAD_ANOTHER_CLIENT = 'it was connected to another client before'

const notNamed = (tenantId: string, why: string) =>
  fail(409, 'TENANT_NOT_NAMED', `tenant ${tenantId} cannot be connected from a consent link that did not name it (${why}); the MSP must start the connection again naming this tenant`)

export const boundElsewhere = (tenantId: string) =>
  new HttpProblem(409, 'TENANT_BOUND_TO_ANOTHER_CLIENT', `tenant ${tenantId} is already connected to another client; disconnect it there first`)
