import t from 'tap'
import { compactKeyId as keyId, createCompactKeyRing as createKeyRing, DecryptionError as SealedValueError } from '../../src/index.js'

const oldKey = 'ab'.repeat(32)
const newKey = 'cd'.repeat(32)

t.test('seals with AES-256-GCM under the current key id and opens again', async (t) => {
  const ring = createKeyRing(oldKey)
  const sealed = ring.seal('the secret', 'psa-connection:1:credentials')
  t.match(sealed, /^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/)
  t.equal(ring.keyIdOf(sealed), keyId(Buffer.from(oldKey, 'hex')))
  t.notMatch(sealed, /the secret/)
  t.not(ring.seal('the secret', 'psa-connection:1:credentials'), sealed, 'a fresh IV every time')
  t.equal(ring.open(sealed, 'psa-connection:1:credentials'), 'the secret')
})

t.test('a value sealed for one context, a tampered value or an unknown key does not open', async (t) => {
  const ring = createKeyRing(oldKey)
  const sealed = ring.seal('the secret', 'psa-connection:1:credentials')
  t.throws(() => ring.open(sealed, 'psa-connection:2:credentials'), SealedValueError)
  const parts = sealed.split('.')
  const data = Buffer.from(parts[4] as string, 'base64url')
  data[0] = (data[0] as number) ^ 1
  parts[4] = data.toString('base64url')
  t.throws(() => ring.open(parts.join('.'), 'psa-connection:1:credentials'), SealedValueError)
  t.throws(() => createKeyRing(newKey).open(sealed, 'psa-connection:1:credentials'), /no key with id/)
  t.throws(() => ring.open('plain text', 'x'), SealedValueError)
})

t.test('after a rotation the new key seals and the previous one still opens', async (t) => {
  const sealedBefore = createKeyRing(oldKey).seal('the secret', 'ctx')
  const rotated = createKeyRing(newKey, [oldKey])
  t.equal(rotated.open(sealedBefore, 'ctx'), 'the secret')
  t.equal(rotated.keyIdOf(rotated.seal('x', 'ctx')), rotated.currentKeyId)
  t.not(rotated.currentKeyId, rotated.keyIdOf(sealedBefore))
})
