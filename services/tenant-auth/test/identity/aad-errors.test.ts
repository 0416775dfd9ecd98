import t from 'tap'
import { ClientAuthError, ServerError } from '@azure/msal-node'
import { classifyAuthError, microsoftReason } from '../../src/identity/aad-errors.js'

// msal-node's own error classes, shaped as msal builds them from a token-endpoint error (spec §8)
const serverError = (code: string, errorNo: number, description: string) => new ServerError(code, 'correlation-id',
  `Error(s): ${errorNo} - Timestamp: 2026-01-01 10:00:00Z - Description: ${description} Trace ID: 1 Correlation ID: 2 Timestamp: 2026-01-01 10:00:00Z - Correlation ID: 2 - Trace ID: 1`,
  undefined, errorNo as unknown as string, 400)

t.test('AADSTS codes decide, Microsoft\'s text is kept', async (t) => {
  t.match(classifyAuthError(serverError('unauthorized_client', 700016, "AADSTS700016: Application with identifier 'x' was not found in the directory 'Y'.")),
    { kind: 'consent_revoked', aadsts: '700016', reason: "AADSTS700016: Application with identifier 'x' was not found in the directory 'Y'." })
  t.match(classifyAuthError(serverError('invalid_grant', 65001, 'AADSTS65001: The user or administrator has not consented.')), { kind: 'consent_revoked' })
  t.match(classifyAuthError(serverError('invalid_client', 7000215, 'AADSTS7000215: Invalid client secret provided.')), { kind: 'credentials_invalid', reason: 'AADSTS7000215: Invalid client secret provided.' })
  t.match(classifyAuthError(serverError('invalid_client', 7000222, 'AADSTS7000222: The provided client secret keys are expired.')), { kind: 'credentials_invalid' })
  t.match(classifyAuthError(serverError('invalid_request', 90002, "AADSTS90002: Tenant 'x' not found.")), { kind: 'unavailable', aadsts: '90002' })
  t.match(classifyAuthError(new ClientAuthError('endpoints_resolution_error', 'correlation-id')), { kind: 'unavailable', aadsts: undefined })
  t.match(classifyAuthError(new Error('socket hang up')), { kind: 'unavailable', reason: 'socket hang up' })
})

t.test('Entra\'s multi-line descriptions end at the trace id', async (t) => {
  t.equal(microsoftReason({ errorMessage: 'AADSTS700016: App not found.\r\nTrace ID: 1\r\nCorrelation ID: 2' }), 'AADSTS700016: App not found.')
})
