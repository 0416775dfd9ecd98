import t from 'tap'
import { randomUUID } from 'node:crypto'
import { canReadClient, decodePrincipal, encodePrincipal } from '@m365/api'

t.test('a principal survives the header round trip', async (t) => {
  const p = { role: 'client' as const, sub: 'u1', clientId: randomUUID() }
  t.same(decodePrincipal(encodePrincipal(p)), p)
})

t.test('malformed or forged headers decode to null', async (t) => {
  t.equal(decodePrincipal(undefined), null)
  t.equal(decodePrincipal('not base64 json'), null)
  t.equal(decodePrincipal(Buffer.from('{"role":"admin","sub":"x"}').toString('base64url')), null)
  t.equal(decodePrincipal(Buffer.from('{"role":"client","sub":"x","clientId":"nope"}').toString('base64url')), null)
})

t.test('a client principal reads only its own client', async (t) => {
  const mine = randomUUID()
  t.ok(canReadClient({ role: 'client', sub: 'u', clientId: mine }, mine))
  t.notOk(canReadClient({ role: 'client', sub: 'u', clientId: mine }, randomUUID()))
  t.ok(canReadClient({ role: 'msp', sub: 'm' }, randomUUID()))
})
