import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig } from '@m365/service-kit'

/** The single-process app's own settings; each service still validates its own config on top. */
export const SingleProcessConfig = Type.Composite([BaseConfig, Type.Object({
  AZURE_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, description: 'the MSP\'s Azure app; with a secret or certificate, AUTHORITY_HOST and GRAPH_BASE_URL: real Microsoft 365 instead of the simulators' })),
  AZURE_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1, description: 'its client secret' })),
  AZURE_CLIENT_CERTIFICATE_PATH: Type.Optional(Type.String({ minLength: 1, description: 'or a PEM file with its certificate and private key' })),
  AUTHORITY_HOST: Type.Optional(Type.String({ pattern: '^https://', errorMessage: 'must be an https:// origin', description: 'the identity platform (https://login.microsoftonline.com)' })),
  GRAPH_BASE_URL: Type.Optional(Type.String({ pattern: '^https://', errorMessage: 'must be an https:// URL', description: 'Microsoft Graph (https://graph.microsoft.com)' })),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://', errorMessage: 'must be an http(s) URL', description: 'where browsers reach this process; default http://localhost:PORT' })),
  ENCRYPTION_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', errorMessage: 'must be 64 hex characters', description: 'unset: one is generated and kept under DATA_DIR' })),
  DEMO_SEED: Type.Boolean({ default: true, description: 'with the simulators: create a demo client, sync it and build a first report version' })
})])
export type SingleProcessConfig = Static<typeof SingleProcessConfig>

/** True when a real Azure app is configured; otherwise the built-in simulators stand in for Microsoft 365 and the PSA. */
export function usesRealMicrosoft365 (config: SingleProcessConfig): boolean {
  const credential = config.AZURE_CLIENT_SECRET ?? config.AZURE_CLIENT_CERTIFICATE_PATH
  return Boolean(config.AZURE_CLIENT_ID && credential && config.AUTHORITY_HOST && config.GRAPH_BASE_URL)
}
