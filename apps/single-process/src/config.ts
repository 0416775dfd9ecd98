import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig } from '@m365/service-kit'

/** The single-process app's own settings; each service still validates its own config on top. */
export const SingleProcessConfig = Type.Composite([BaseConfig, Type.Object({
  AZURE_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  AZURE_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  AZURE_CLIENT_CERTIFICATE_PATH: Type.Optional(Type.String({ minLength: 1 })),
  AUTHORITY_HOST: Type.Optional(Type.String({ pattern: '^https://', errorMessage: 'must be an https:// origin' })),
  GRAPH_BASE_URL: Type.Optional(Type.String({ pattern: '^https://', errorMessage: 'must be an https:// URL' })),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://', errorMessage: 'must be an http(s) URL' })),
  ENCRYPTION_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', errorMessage: 'must be 64 hex characters' })),
  DEMO_SEED: Type.Boolean({ default: true, description: 'with the simulators: create a demo client, sync it and build a first report version' })
})])
export type SingleProcessConfig = Static<typeof SingleProcessConfig>

/** True when a real Azure app is configured; otherwise the built-in simulators stand in for Microsoft 365 and the PSA. */
export function usesRealMicrosoft365 (config: SingleProcessConfig): boolean {
  const credential = config.AZURE_CLIENT_SECRET ?? config.AZURE_CLIENT_CERTIFICATE_PATH
  return Boolean(config.AZURE_CLIENT_ID && credential && config.AUTHORITY_HOST && config.GRAPH_BASE_URL)
}
