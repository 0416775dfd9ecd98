import t from 'tap'
import { createKeyRing } from '@m365/service-kit'
import { mintState, verifyState } from '../../src/connect/state.js'

const ring = createKeyRing('c3'.repeat(32))

t.test('a minted state verifies to its row id; 256 random bits, never twice the same', async (t) => {
  const { state, id } = mintState(ring)
  t.match(state, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/)
  t.equal(verifyState(ring, state), id)
  t.notOk(state.includes(id), 'the stored id is a hash, not the nonce')
  t.not(mintState(ring).state, state)
})

t.test('anything else is refused', async (t) => {
  const { state } = mintState(ring)
  const [nonce, signature] = state.split('.') as [string, string]
  const other = mintState(ring).state.split('.')[1]!
  t.equal(verifyState(ring, undefined), undefined)
  t.equal(verifyState(ring, ''), undefined)
  t.equal(verifyState(ring, nonce), undefined, 'no signature')
  t.equal(verifyState(ring, `${nonce}.${other}`), undefined, 'another state\'s signature')
  t.equal(verifyState(ring, `${nonce}.${signature}.x`), undefined)
  const altered = nonce.slice(0, -1) + (nonce.endsWith('A') ? 'B' : 'A')
  t.equal(verifyState(ring, `${altered}.${signature}`), undefined, 'altered nonce')
  t.equal(verifyState(createKeyRing('d4'.repeat(32)), state), undefined, 'signed with another key')
})
