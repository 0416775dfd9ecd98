export * from './contact.js'
export { headerValue, type HeaderSource } from './headers.js'
export { safeEqual } from './safe-equal.js'
export type { VerifyResult, VerifyFailure, VerifyFailureReason } from './verify-result.js'
export { PsaPayloadError, fieldName } from './validation.js'
export type { RefetchDecision } from './refetch.js'
export {
  withRetry, backoffDelay, parseRetryAfter, isRetryable, isRetryableStatus, isConnectionError, PsaHttpError, RESPONSE_TEXT_LIMIT,
  type RetryOptions, type RetryInfo
} from './retry.js'
export type { HttpOptions } from './http.js'
export type { PsaContactClient, ContactPage, ListContactsOptions } from './client.js'

export { autotaskEscape } from './autotask/escape.js'
export { verifyAutotask, autotaskSignature, AUTOTASK_SIGNATURE_HEADER, type AutotaskMatch } from './autotask/verify.js'
export {
  parseAutotaskWebhook, parseAutotaskContact, AutotaskWebhook, AutotaskContact, AutotaskContactFields, AutotaskAction
} from './autotask/payload.js'
export { normaliseAutotaskWebhook, normaliseAutotaskContact } from './autotask/normalise.js'
export { autotaskNeedsRefetch } from './autotask/refetch.js'
export { createAutotaskClient, resolveAutotaskZone, type AutotaskClientOptions, type AutotaskZoneOptions } from './autotask/client.js'

export { CONNECTWISE_KEY_HOSTS, isAllowedKeyUrl } from './connectwise/key-url.js'
export {
  createConnectWiseKeyFetcher, ConnectWiseKeyError, type ConnectWiseKeySource, type ConnectWiseKeyFetcherOptions
} from './connectwise/key-fetcher.js'
export {
  verifyConnectWise, connectWiseSignature, connectWiseKeyUrl, CONNECTWISE_SIGNATURE_HEADER,
  type ConnectWiseVerifyOptions, type ConnectWiseMatch
} from './connectwise/verify.js'
export {
  parseConnectWiseWebhook, parseConnectWiseContact, ConnectWiseContact, ConnectWiseCommunicationItem,
  ConnectWiseWebhookEnvelope, ConnectWiseAction, type ConnectWiseWebhook
} from './connectwise/payload.js'
export { normaliseConnectWiseWebhook, normaliseConnectWiseContact } from './connectwise/normalise.js'
export { connectWiseNeedsRefetch } from './connectwise/refetch.js'
export { createConnectWiseClient, type ConnectWiseClientOptions } from './connectwise/client.js'

export { verifyHalo, type HaloAuthConfig, type HaloBasicCredentials, type HaloMatch } from './halopsa/verify.js'
export { parseHaloWebhook, parseHaloUser, haloAction, HaloUser, HaloWebhookBody, type HaloWebhook } from './halopsa/payload.js'
export { normaliseHaloUser, normaliseHaloWebhook } from './halopsa/normalise.js'
export { haloNeedsRefetch } from './halopsa/refetch.js'
export { createHaloClient, type HaloClientOptions } from './halopsa/client.js'
export { createHaloTokenSource, type HaloTokenSource, type HaloTokenOptions } from './halopsa/token.js'
