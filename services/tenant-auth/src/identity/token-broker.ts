import type { AuthenticationResult } from '@azure/msal-node'
import type { ReplyOf, TokenErrorCode, TokenRequest } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { FastifyBaseLogger } from 'fastify'
import { eq } from 'drizzle-orm'
import { DecryptionError, type KeyRing } from '@m365/service-kit'
import { tenants } from '../db/schema.js'
import { loadCredential } from '../tenants/credential-store.js'
import { markAuthFailure } from '../tenants/tenant-repository.js'
import { classifyAuthError, type AuthFailure } from './aad-errors.js'
import type { AppCredential } from './app-credential.js'
import type { ConfidentialClients } from './confidential-clients.js'
import { KeyedMutex } from './keyed-mutex.js'

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'

export type TokenReply = ReplyOf<typeof TokenRequest>

export interface TokenBrokerOptions {
  db: AnyDb
  ring: KeyRing
  clients: ConfidentialClients
  /** The MSP app (AZURE_CLIENT_ID with a secret or a certificate), when configured. */
  mspCredential: AppCredential | undefined
  /** AZURE_TENANT_ID, lower case: the MSP app's home tenant, if configured. */
  homeTenantId: string | undefined
  log: FastifyBaseLogger
  /** Called after a commit that wrote events (wakes the outbox publisher). */
  onEvents: () => void
}

const failure = (code: TokenErrorCode, message: string): TokenReply => ({ ok: false, code, message })

/**
 * App-only tokens per tenant: the tenant's own registration if stored, else the MSP app; served
 * from the shared Postgres cache until msal's renewal margin (5 min before expiry). A failure that
 * means the tenant lost us (consent revoked, credential invalid) flips its status and publishes
 * TenantConsentRevoked once; callers get a typed error reply, never an exception. A refusal of the
 * MSP app itself is no tenant's doing: identity_unavailable, every tenant's status untouched.
 */
export class TokenBroker {
  private readonly mutex = new KeyedMutex()
  /** The MSP app's credential was refused and not accepted since: its error is logged once. */
  private mspRefused = false

  constructor (private readonly options: TokenBrokerOptions) {}

  /** `forceRefresh` skips the token cache: the caller's token was refused, so only the identity platform can tell why. */
  async getToken (tenantId: string, scope = GRAPH_SCOPE, options: { forceRefresh?: boolean } = {}): Promise<TokenReply> {
    const { db, log } = this.options
    const [tenant] = await db.select({ status: tenants.status, lastError: tenants.lastError }).from(tenants).where(eq(tenants.tenantId, tenantId))
    if (!tenant || tenant.status === 'disconnected') return failure('not_connected', `tenant ${tenantId} is not connected`)
    if (tenant.status !== 'connected') return failure(tenant.status, tenant.lastError ?? tenant.status)
    let own: AppCredential | undefined
    try {
      own = await loadCredential(db, this.options.ring, tenantId)
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err
      log.error({ tenantId, reason: err.message }, 'stored credentials cannot be decrypted')
      return failure('identity_unavailable', `tenant-auth cannot decrypt the stored credentials of tenant ${tenantId}`)
    }
    const credential = own ?? this.options.mspCredential
    if (!credential) return failure('not_connected', `tenant ${tenantId} has no app credentials and no Azure app is configured`)
    try {
      const result = await this.acquire(tenantId, credential, { scope, fresh: options.forceRefresh === true })
      if (!own && !result.fromCache) this.mspAccepted()
      return { ok: true, accessToken: result.accessToken, expiresOn: (result.expiresOn ?? new Date(Date.now() + 300_000)).toISOString() }
    } catch (err) {
      return await this.refused(tenantId, classifyAuthError(err), own === undefined)
    }
  }

  private async refused (tenantId: string, refusal: AuthFailure, mspApp: boolean): Promise<TokenReply> {
    const { kind, aadsts, reason } = refusal
    if (mspApp && await this.mspAppAtFault(refusal)) return this.mspAppRefused(tenantId, refusal)
    if (kind === 'unavailable') {
      this.options.log.warn({ tenantId, aadsts, reason }, 'token request failed')
      return failure('identity_unavailable', reason)
    }
    if (await markAuthFailure(this.options.db, tenantId, kind, reason)) {
      this.options.log.warn({ tenantId, aadsts, status: kind, reason }, 'tenant lost: status changed')
      this.options.onEvents()
    }
    return failure(kind, reason)
  }

  /**
   * A wrong or expired secret (certificate) of the MSP app is refused in every tenant alike. So is an
   * app registration that is gone, but its AADSTS700016 is also what one tenant's revoked consent
   * gives: only a token from the app's home tenant, where it always is, proves the tenant revoked.
   */
  private async mspAppAtFault (refusal: AuthFailure): Promise<boolean> {
    if (refusal.kind === 'credentials_invalid') return true
    const { homeTenantId, mspCredential } = this.options
    if (refusal.kind !== 'consent_revoked' || !homeTenantId || !mspCredential) return false
    try {
      await this.acquire(homeTenantId, mspCredential, { fresh: true })
      return false
    } catch {
      return true
    }
  }

  private mspAppRefused (tenantId: string, { aadsts, reason }: AuthFailure): TokenReply {
    if (!this.mspRefused) {
      this.mspRefused = true
      this.options.log.error({ tenantId, aadsts, reason },
        'the MSP app is refused (check AZURE_CLIENT_ID and its secret or certificate): no tenant using it gets a token until that is fixed; tenant statuses are left alone')
    }
    return failure('identity_unavailable', `the MSP app is refused by the identity platform: ${reason}`)
  }

  private mspAccepted (): void {
    if (!this.mspRefused) return
    this.mspRefused = false
    this.options.log.info('the MSP app is accepted again')
  }

  /**
   * A token through the tenant's msal client (one at a time per tenant in this process, so the
   * cache plugin's read-modify-write never interleaves). `fresh` skips the cache: after a consent
   * or a credential change the cached token proves nothing. Throws msal's errors.
   */
  async acquire (tenantId: string, credential: AppCredential, opts: { scope?: string, fresh: boolean }): Promise<AuthenticationResult> {
    return await this.mutex.run(tenantId, async () => {
      const app = this.options.clients.get(tenantId, credential)
      const result = await app.acquireTokenByClientCredential({ scopes: [opts.scope ?? GRAPH_SCOPE], skipCache: opts.fresh })
      if (!result) throw new Error('msal returned no token')
      return result
    })
  }

  forget (tenantId: string): void {
    this.options.clients.forget(tenantId)
  }
}
