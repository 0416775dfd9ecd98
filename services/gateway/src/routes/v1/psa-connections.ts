import { Type } from '@sinclair/typebox'
import {
  CompanyMappingPut, CompanyMappingResult, MAX_RETRY_IDS, Page, PageQuery, PsaConnectionCreate, PsaConnectionPatch, SecretRotate, SecretRotated,
  WebhookDeliveryListQuery, WebhookDeliveryRetried, WebhookDeliveryRetry
} from '@m365/api'
import { ref } from '../schemas.js'
import type { ForwardRoute } from '../forward.js'
import { ConnectionParams } from './params.js'

const access = { mspOnly: true }
const BackfillParams = Type.Object({ connectionId: Type.String({ format: 'uuid' }), runId: Type.String({ format: 'uuid' }) })

/** contacts-ingest: the MSP's PSA connections; to a client token they do not exist. */
export const psaConnectionRoutes: ForwardRoute[] = [
  {
    method: 'POST',
    url: '/psa-connections',
    operationId: 'createPsaConnection',
    summary: 'Connect a PSA (ConnectWise, Autotask or HaloPSA): where it posts webhooks and how to pull contacts',
    body: PsaConnectionCreate,
    responses: { 201: ref('PsaConnection') },
    problems: [422],
    access
  },
  {
    method: 'GET', url: '/psa-connections', operationId: 'listPsaConnections', summary: 'List PSA connections, oldest first', querystring: PageQuery, responses: { 200: Page(ref('PsaConnection')) }, access
  },
  {
    method: 'GET', url: '/psa-connections/:connectionId', operationId: 'getPsaConnection', summary: 'Get a PSA connection (never its secrets)', params: ConnectionParams, responses: { 200: ref('PsaConnection') }, access
  },
  {
    method: 'PATCH',
    url: '/psa-connections/:connectionId',
    operationId: 'updatePsaConnection',
    summary: 'Change a PSA connection: name, base URL, API credentials, Halo webhook authentication',
    params: ConnectionParams,
    body: PsaConnectionPatch,
    responses: { 200: ref('PsaConnection') },
    problems: [422],
    access
  },
  {
    method: 'DELETE',
    url: '/psa-connections/:connectionId',
    operationId: 'deletePsaConnection',
    summary: 'Delete a PSA connection with its contacts (they are withdrawn from reports)',
    params: ConnectionParams,
    responses: { 204: null },
    access
  },
  {
    method: 'POST',
    url: '/psa-connections/:connectionId/secret/rotate',
    operationId: 'rotatePsaWebhookSecret',
    summary: 'Rotate the webhook secret; the old one keeps verifying for a grace period (default 24 h)',
    description: 'Give `webhookSecret`, or leave it out to have one generated: it is in this response only, never again.',
    params: ConnectionParams,
    body: SecretRotate,
    optionalBody: true,
    responses: { 200: SecretRotated },
    problems: [409, 422],
    access
  },
  {
    method: 'GET',
    url: '/psa-connections/:connectionId/companies',
    operationId: 'listPsaCompanies',
    summary: 'The PSA companies seen in contacts or mapped, each with its client',
    params: ConnectionParams,
    querystring: PageQuery,
    responses: { 200: Page(ref('PsaCompany')) },
    access
  },
  {
    method: 'PUT',
    url: '/psa-connections/:connectionId/companies',
    operationId: 'putPsaCompanyMapping',
    summary: 'Replace which PSA company maps to which client; contacts of changed companies are published again',
    params: ConnectionParams,
    body: CompanyMappingPut,
    responses: { 200: CompanyMappingResult },
    problems: [422],
    access
  },
  {
    method: 'POST',
    url: '/psa-connections/:connectionId/backfill',
    operationId: 'startPsaBackfill',
    summary: 'Pull every contact of the mapped companies from the PSA (202: the run; one at a time per connection)',
    params: ConnectionParams,
    responses: { 202: ref('BackfillRun') },
    access
  },
  {
    method: 'GET',
    url: '/psa-connections/:connectionId/backfills/:runId',
    operationId: 'getPsaBackfill',
    summary: 'Progress of a backfill run: status and counts',
    params: BackfillParams,
    responses: { 200: ref('BackfillRun') },
    access
  },
  {
    method: 'GET',
    url: '/psa-connections/:connectionId/deliveries',
    operationId: 'listPsaWebhookDeliveries',
    summary: 'Webhook deliveries of a PSA connection by status (default failed), oldest first',
    description: 'Every webhook the PSA delivered is stored before it is acknowledged, then processed (completed from the ' +
      'PSA\'s REST API where the body does not settle the contact). One that keeps failing (wrong API credentials, the PSA ' +
      'down for long) ends `failed` and is kept: `status=failed` (the default) lists those, with `attempts` and `lastError` ' +
      '(one line, never a credential or the body). `pending`: waiting for a try (`nextAttemptAt`); `processed`: applied, ' +
      'with its `outcome`. After fixing the cause, `POST …/deliveries/retry` tries failed ones again.',
    params: ConnectionParams,
    querystring: WebhookDeliveryListQuery,
    responses: { 200: Page(ref('WebhookDelivery')) },
    access
  },
  {
    method: 'POST',
    url: '/psa-connections/:connectionId/deliveries/retry',
    operationId: 'retryPsaWebhookDeliveries',
    summary: 'Try failed webhook deliveries again (all of the connection, or the listed ids) with a fresh budget of tries',
    description: 'Puts the connection\'s failed deliveries back to pending, due now, with their attempts counted from 0, and ' +
      `answers how many. Give \`ids\` (up to ${MAX_RETRY_IDS}) to choose, or no body for every failed delivery. Deliveries ` +
      'not failed, of another connection or unknown are left as they are, so asking again answers `retried: 0`. ' +
      'Fix the connection first (PATCH its credentials or base URL), or they fail again.',
    params: ConnectionParams,
    body: WebhookDeliveryRetry,
    optionalBody: true,
    responses: { 200: WebhookDeliveryRetried },
    access
  }
]
