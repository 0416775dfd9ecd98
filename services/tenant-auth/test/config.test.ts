import t from 'tap'
import { ConfigError, loadConfig } from '@m365/service-kit'
import { TenantAuthConfig } from '../src/index.js'
import { mspCredential } from '../src/plugins/identity.js'

const key = 'ab'.repeat(32)

t.test('defaults for the identity platform, Graph and the consent flow', async (t) => {
  const config = loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key })
  t.match(config, {
    AUTHORITY_HOST: 'https://login.microsoftonline.com',
    GRAPH_BASE_URL: 'https://graph.microsoft.com',
    CONNECT_STATE_TTL_SECONDS: 600
  })
  t.equal(mspCredential(config), undefined, 'no Azure app: connect answers 503, per-tenant credentials still work')
})

t.test('a missing or malformed ENCRYPTION_KEY is one clear config line', async (t) => {
  t.throws(() => loadConfig(TenantAuthConfig, {}), new ConfigError(['ENCRYPTION_KEY is required']))
  const err = t.throws(() => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: 'abc' })) as Error
  t.match(err.message, /^config: ENCRYPTION_KEY must be 64 hex characters/)
  t.notMatch(err.message, /abc/, 'the bad value is not echoed')
  t.match((t.throws(() => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, ENCRYPTION_KEYS_PREVIOUS: `${key},nope` })) as Error).message,
    /ENCRYPTION_KEYS_PREVIOUS must be comma-separated keys/)
  t.match((t.throws(() => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, AUTHORITY_HOST: 'http://login.example' })) as Error).message, /AUTHORITY_HOST must be an https/)
})

t.test('the MSP app needs both its id and its secret', async (t) => {
  const id = '5e3d1c2b-7a4f-4e8d-9b6c-1f2a3b4c5d6e'
  t.same(mspCredential(loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, AZURE_CLIENT_ID: id, AZURE_CLIENT_SECRET: 's' })),
    { type: 'client_secret', clientId: id, clientSecret: 's' })
  t.throws(() => mspCredential(loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, AZURE_CLIENT_ID: id })), /go together/)
})
