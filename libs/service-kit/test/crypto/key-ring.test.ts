import t from 'tap'
import { createCompactKeyRing, createKeyRing, DecryptionError, previousKeys } from '../../src/index.js'

const oldKey = '0f'.repeat(32)
const newKey = 'e1'.repeat(32)

t.test('seals and opens; every seal has its own IV', async (t) => {
  const ring = createKeyRing(newKey)
  const a = ring.seal('client-secret-value', 'ctx')
  const b = ring.seal('client-secret-value', 'ctx')
  t.not(a.ciphertext, b.ciphertext)
  t.notMatch(a.ciphertext, /client-secret-value/)
  t.notMatch(Buffer.from(a.ciphertext, 'base64').toString('latin1'), /client-secret-value/)
  t.equal(a.keyId, ring.currentKeyId)
  t.equal(ring.open(a, 'ctx'), 'client-secret-value')
})

t.test('tampering is detected: altered bytes, another context, a truncated ciphertext', async (t) => {
  const ring = createKeyRing(newKey)
  const sealed = ring.seal('secret', 'tenant-credentials:a')
  const raw = Buffer.from(sealed.ciphertext, 'base64')
  for (const index of [0, 12, 20, raw.length - 1]) { // IV, tag, body
    const altered = Buffer.from(raw)
    altered[index] = altered[index]! ^ 0x01
    t.throws(() => ring.open({ ...sealed, ciphertext: altered.toString('base64') }, 'tenant-credentials:a'), DecryptionError, `byte ${index}`)
  }
  t.throws(() => ring.open(sealed, 'tenant-credentials:b'), DecryptionError, 'a ciphertext moved to another row')
  t.throws(() => ring.open({ ...sealed, ciphertext: raw.subarray(0, 20).toString('base64') }, 'tenant-credentials:a'), DecryptionError)
  t.throws(() => ring.open({ ...sealed, keyId: 'feedfacecafe' }, 'tenant-credentials:a'), /no key with id feedfacecafe/)
})

t.test('rotation: rows sealed with a previous key still open; without it they do not', async (t) => {
  const before = createKeyRing(oldKey)
  const sealed = before.seal('old secret', 'ctx')
  const after = createKeyRing(newKey, previousKeys(`${oldKey}`))
  t.not(after.currentKeyId, before.currentKeyId, 'key ids tell keys apart')
  t.equal(createKeyRing(oldKey).currentKeyId, before.currentKeyId, 'and are stable')
  t.equal(after.open(sealed, 'ctx'), 'old secret')
  t.equal(after.seal('new', 'ctx').keyId, after.currentKeyId, 'new rows use the current key')
  t.throws(() => createKeyRing(newKey).open(sealed, 'ctx'), DecryptionError)
})

t.test('HMAC signatures verify in constant time against every key of the ring', async (t) => {
  const before = createKeyRing(oldKey)
  const signature = before.sign('connect-state', 'nonce')
  t.ok(before.verify('connect-state', 'nonce', signature))
  t.notOk(before.verify('connect-state', 'other', signature))
  t.notOk(before.verify('another-purpose', 'nonce', signature), 'keys are derived per purpose')
  t.notOk(before.verify('connect-state', 'nonce', signature.subarray(1)))
  t.ok(createKeyRing(newKey, [oldKey]).verify('connect-state', 'nonce', signature), 'a rotation does not break values in flight')
  t.notOk(createKeyRing(newKey).verify('connect-state', 'nonce', signature))
})

t.test('keys must be 64 hex characters', async (t) => {
  t.throws(() => createKeyRing('abc'), /64 hex characters/)
  t.throws(() => createKeyRing(newKey, ['zz'.repeat(32)]), /64 hex characters/)
  t.same(previousKeys(undefined), [])
  t.same(previousKeys(`${oldKey}, ${newKey}`), [oldKey, newKey])
})

t.test('what the services sealed before they shared this ring still opens (and names a key id that is not current)', async (t) => {
  // sealed with oldKey by tenant-auth's and contacts-ingest's own key rings
  const ring = createKeyRing(newKey, [oldKey])
  const tenantAuth = { keyId: '402e233fc87e', ciphertext: 'ljKt3a0bVvv6LbftStvBDXlAx7b0mfrCz4G2kvqx0pEjiAqDPII3f/Psdbj6TfmWH+VIgvAgKCAQngJUgSr3/WW3XYjTPxX6' }
  t.equal(ring.open(tenantAuth, 'tenant-credentials:a'), 'sealed by tenant-auth before the shared ring')
  t.throws(() => ring.open(tenantAuth, 'tenant-credentials:b'), DecryptionError)
  t.ok(ring.verify('connect-state', 'nonce', Buffer.from('qIxvag0osjYXgjTsYGns_pEzC3yueJFgFa212XKhNxU', 'base64url')), 'a signature too')

  const compact = createCompactKeyRing(newKey, [oldKey])
  const contactsIngest = 'v1.9b68d49bb092f712.ry7A11LQDtitoPS-.1dhqgsqxz1X48wsC-50abA.-FqTQzKE8EzOmzPG16ojkm1FdQ0DhFZRwrAKYztdVu22yGrXLhw0V1hpa6nmIP8e'
  t.equal(compact.open(contactsIngest, 'psa-connection:1:credentials'), 'sealed by contacts-ingest before the shared ring')
  t.throws(() => compact.open(contactsIngest, 'psa-connection:2:credentials'), DecryptionError)
  t.not(compact.keyIdOf(contactsIngest), compact.currentKeyId, 'so contacts-ingest seals it again')
  t.throws(() => createCompactKeyRing(newKey).open(contactsIngest, 'psa-connection:1:credentials'), /no key with id/)
})

t.test('one key, two forms: a compact value opens as a Sealed of the same key and context', async (t) => {
  const compact = createCompactKeyRing(oldKey).seal('both ways', 'ctx')
  const [, keyId, iv, tag, body] = compact.split('.') as [string, string, string, string, string]
  const ciphertext = Buffer.concat([iv, tag, body].map((part) => Buffer.from(part, 'base64url'))).toString('base64')
  const ring = createKeyRing(oldKey)
  t.equal(keyId.slice(0, 12), ring.currentKeyId)
  t.equal(ring.open({ keyId: ring.currentKeyId, ciphertext }, 'ctx'), 'both ways')
})
