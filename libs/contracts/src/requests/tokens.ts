import { Type, type Static } from '@sinclair/typebox'
import { defineRequest } from '../define.js'
import { TenantId } from '../events/common.js'

export const TokenErrorCode = Type.Union([
  Type.Literal('not_connected'),
  Type.Literal('consent_revoked'),
  Type.Literal('credentials_invalid'),
  Type.Literal('identity_unavailable')
])
export type TokenErrorCode = Static<typeof TokenErrorCode>

/** Core NATS request/reply to tenant-auth: an app-only Graph token for one tenant. */
export const TokenRequest = defineRequest('tokens.get', 1,
  Type.Object({
    tenantId: TenantId,
    /** Resource scope; defaults to https://graph.microsoft.com/.default */
    scope: Type.Optional(Type.String()),
    /**
     * Skip every cache and ask the identity platform: Graph refused the token the caller had (401, or 403 where
     * the app's permissions changed), so a cached one proves nothing. A revoked consent shows at once this way.
     */
    forceRefresh: Type.Optional(Type.Boolean())
  }),
  Type.Union([
    Type.Object({
      ok: Type.Literal(true),
      accessToken: Type.String({ minLength: 1 }),
      expiresOn: Type.String({ format: 'date-time' })
    }),
    Type.Object({
      ok: Type.Literal(false),
      code: TokenErrorCode,
      message: Type.String()
    })
  ])
)
