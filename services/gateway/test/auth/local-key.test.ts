import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { createTokenVerifier, ensureLocalSigningKey, mintDevTokens, mintToken, TokenRejected, writeDevTokens } from '../../src/index.js'

t.test('the local key is generated once (mode 0600, a private ES256 JWK) and reused', async (t) => {
  const file = join(t.testdir(), 'data', 'jwt-key.json')
  const first = await ensureLocalSigningKey(file)
  t.equal((await stat(file)).mode & 0o777, 0o600)
  const stored = JSON.parse(await readFile(file, 'utf8'))
  t.match(stored, { kty: 'EC', crv: 'P-256', alg: 'ES256', kid: first.kid, d: String })
  t.notOk('d' in first.publicJwk, 'the public JWK carries no private part')
  const again = await ensureLocalSigningKey(file)
  t.equal(again.kid, first.kid)
  const racing = await Promise.all([1, 2, 3].map(() => ensureLocalSigningKey(join(t.testdir(), 'race', 'key.json'))))
  t.equal(new Set(racing.map((k) => k.kid)).size, 1, 'concurrent first starts agree on one key')
})

t.test('a file that is not an ES256 private JWK stops with a clear message', async (t) => {
  const dir = t.testdir({ 'rsa.json': JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB' }), 'junk.json': 'not json' })
  await t.rejects(ensureLocalSigningKey(join(dir, 'rsa.json')), /does not hold an ES256 \(P-256\) private JWK/)
  await t.rejects(ensureLocalSigningKey(join(dir, 'junk.json')), /is not a JSON Web Key/)
})

t.test('minted tokens verify to the principal they were minted for', async (t) => {
  const file = join(t.testdir(), 'key.json')
  const key = await ensureLocalSigningKey(file)
  const verify = await createTokenVerifier({ kind: 'local', file }, { clockToleranceSeconds: 0 })
  const clientId = randomUUID()
  t.same(await verify(await mintToken(key, { role: 'msp' })), { role: 'msp', sub: 'local-msp' })
  t.same(await verify(await mintToken(key, { role: 'client', clientId: clientId.toUpperCase(), sub: 'bob' })), { role: 'client', sub: 'bob', clientId })
  const token = await mintToken(key, { role: 'msp', ttl: 60 })
  t.match(decodeProtectedHeader(token), { alg: 'ES256', kid: key.kid, typ: 'JWT' })
  const claims = decodeJwt(token)
  t.equal(claims.exp! - claims.iat!, 60)
  t.equal(claims.iss, key.issuer)
  t.equal(claims.aud, key.audience)
  await t.rejects(mintToken(key, { role: 'client' }), /needs the client's id/)
  await t.rejects(verify(await mintToken(key, { role: 'msp', ttl: -5 })), TokenRejected)
})

t.test('dev tokens: one for MSP staff, one per client, replaced in one step, owner-only', async (t) => {
  const dir = t.testdir()
  const key = await ensureLocalSigningKey(join(dir, 'key.json'))
  const verify = await createTokenVerifier({ kind: 'local', file: join(dir, 'key.json') }, { clockToleranceSeconds: 0 })
  const [a, b] = [randomUUID(), randomUUID()]
  const file = join(dir, 'data', 'dev-tokens.json')
  await writeDevTokens(file, await mintDevTokens(key, [a]))
  await writeDevTokens(file, await mintDevTokens(key, [a, b]))
  t.equal((await stat(file)).mode & 0o777, 0o600)
  const tokens = JSON.parse(await readFile(file, 'utf8'))
  t.same(Object.keys(tokens.clients).sort(), [a, b].sort())
  t.same(await verify(tokens.msp), { role: 'msp', sub: 'local-msp' })
  t.match(await verify(tokens.clients[b]), { role: 'client', clientId: b })
  const lifetime = decodeJwt(tokens.msp)
  t.equal(lifetime.exp! - lifetime.iat!, 30 * 86_400, 'dev tokens live 30 days')
})
