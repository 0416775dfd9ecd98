import t from 'tap'
import { verifyHalo, type HaloAuthConfig } from '@m365/psa'
import { haloAuthorization, haloPassword, haloUsername, oneCharFlips } from '@m365/psa/testing'

const basic: HaloAuthConfig = { type: 'basic', credentials: { username: haloUsername, password: haloPassword } }
const encode = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

t.test('the §7.3 header verifies', async (t) => {
  t.equal(encode(haloUsername, haloPassword), haloAuthorization)
  t.same(verifyHalo({ authorization: haloAuthorization }, basic), { ok: true, credentialIndex: 0 })
  t.ok(verifyHalo({ Authorization: haloAuthorization.replace('Basic', 'basic') }, basic).ok, 'scheme is case-insensitive')
})

t.test('wrong user, wrong password or any changed character fails', async (t) => {
  t.same(verifyHalo({ authorization: encode('psa-webhook', 'Hx7-example-secreT') }, basic), { ok: false, reason: 'credentials_mismatch' })
  t.same(verifyHalo({ authorization: encode('psa-webhooks', haloPassword) }, basic), { ok: false, reason: 'credentials_mismatch' })
  t.same(verifyHalo({ authorization: encode('', `${haloUsername}:${haloPassword}`) }, basic), { ok: false, reason: 'credentials_mismatch' })
  const encoded = haloAuthorization.slice('Basic '.length)
  for (const [i, flipped] of oneCharFlips(encoded)) {
    if (verifyHalo({ authorization: `Basic ${flipped}` }, basic).ok) t.fail(`character ${i} changed still verified`)
  }
})

t.test('passwords may contain colons: split at the first one', async (t) => {
  const config: HaloAuthConfig = { type: 'basic', credentials: { username: 'hook', password: 'a:b:c' } }
  t.ok(verifyHalo({ authorization: encode('hook', 'a:b:c') }, config).ok)
  t.notOk(verifyHalo({ authorization: encode('hook', 'a:b') }, config).ok)
  t.notOk(verifyHalo({ authorization: encode('hook:a', 'b') }, config).ok)
})

t.test('rotation: old and new credentials both verify', async (t) => {
  const config: HaloAuthConfig = { type: 'basic', credentials: [{ username: 'hook', password: 'new-one' }, { username: haloUsername, password: haloPassword }] }
  t.same(verifyHalo({ authorization: haloAuthorization }, config), { ok: true, credentialIndex: 1 })
  t.same(verifyHalo({ authorization: encode('hook', 'new-one') }, config), { ok: true, credentialIndex: 0 })
})

t.test('missing or malformed headers and missing config', async (t) => {
  t.same(verifyHalo({}, basic), { ok: false, reason: 'missing_authorization' })
  t.same(verifyHalo({ authorization: 'Bearer abc' }, basic), { ok: false, reason: 'malformed_authorization' })
  t.same(verifyHalo({ authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }, basic), { ok: false, reason: 'malformed_authorization' })
  t.same(verifyHalo({ authorization: haloAuthorization }, { type: 'basic', credentials: [] }), { ok: false, reason: 'no_secret_configured' })
  t.same(verifyHalo({ authorization: haloAuthorization }, { type: 'basic', credentials: { username: '', password: '' } }), { ok: false, reason: 'no_secret_configured' })
})

t.test('bearer token and API-key header', async (t) => {
  const bearer: HaloAuthConfig = { type: 'bearer', tokens: ['t-new', 't-old'] }
  t.same(verifyHalo({ authorization: 'Bearer t-old' }, bearer), { ok: true, credentialIndex: 1 })
  t.same(verifyHalo({ authorization: 'Bearer t-ol' }, bearer), { ok: false, reason: 'credentials_mismatch' })
  t.same(verifyHalo({ authorization: 't-old' }, bearer), { ok: false, reason: 'malformed_authorization' })
  const header: HaloAuthConfig = { type: 'header', name: 'X-Api-Key', values: 'k-123' }
  t.same(verifyHalo({ 'x-api-key': 'k-123' }, header), { ok: true, credentialIndex: 0 })
  t.same(verifyHalo({ 'x-api-key': 'k-124' }, header), { ok: false, reason: 'credentials_mismatch' })
  t.same(verifyHalo({}, header), { ok: false, reason: 'missing_authorization' })
})
