export { startPsaSimulator, type PsaSimulator, type PsaSimulatorOptions, type SimulatorClientOptions } from './server.js'
export type { PsaSimulatorAdmin, SetDownOptions } from './admin.js'
export type { SimCompany, SimContact, DeletedContact, NewContact, ContactPatch } from './model.js'
export { prng } from './generate.js'
export type { GenerateOptions, GenerateResult } from './generate.js'
export type { SimulatorStats, PsaName } from './stats.js'
export {
  DEFAULT_CREDENTIALS, type SimulatorCredentials, type ConnectWiseCredentials, type AutotaskCredentials, type HaloCredentials,
  type DownMode
} from './state.js'
export { toConnectWiseContact } from './shapes/connectwise.js'
export { toAutotaskContact } from './shapes/autotask.js'
export { toHaloUser } from './shapes/halopsa.js'
export {
  sendWebhooks, type SendWebhooksOptions, type SendReport, type DeliveryResult, type AttemptResult, type WebhookRetries
} from './webhooks/send.js'
export {
  buildConnectWiseWebhook, buildAutotaskWebhook, buildHaloWebhook, AUTOTASK_DEFAULT_FIELDS,
  type ConnectWiseWebhookOptions, type AutotaskWebhookOptions, type HaloWebhookOptions
} from './webhooks/payloads.js'
export { autotaskEscapedForm, autotaskSignatureHeader, connectWiseSignatureHeader, basicAuthorization } from './webhooks/sign.js'
