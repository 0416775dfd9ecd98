import t from 'tap'
import { randomUUID } from 'node:crypto'
import { claimsFor, principalFromClaims } from '@m365/api'

t.test('token claims map to principals and back', async (t) => {
  const clientId = randomUUID()
  t.same(principalFromClaims({ sub: 'a', role: 'msp', iss: 'x' }), { principal: { role: 'msp', sub: 'a' } })
  t.same(principalFromClaims({ sub: 'b', role: 'client', client_id: clientId.toUpperCase() }), { principal: { role: 'client', sub: 'b', clientId } })
  t.same(claimsFor({ role: 'client', sub: 'b', clientId }), { sub: 'b', role: 'client', client_id: clientId })
  t.same(claimsFor({ role: 'msp', sub: 'a' }), { sub: 'a', role: 'msp' })
})

t.test('claims that stand for no principal say why', async (t) => {
  t.match(principalFromClaims({ sub: 'a' }), { error: /no role claim/ })
  t.match(principalFromClaims({ sub: 'a', role: 'admin' }), { error: /no role claim/ })
  t.match(principalFromClaims({ role: 'msp' }), { error: /no sub claim/ })
  t.match(principalFromClaims({ sub: '', role: 'msp' }), { error: /no sub claim/ })
  t.match(principalFromClaims({ sub: 'b', role: 'client' }), { error: /client_id/ })
  t.match(principalFromClaims({ sub: 'b', role: 'client', client_id: 'acme' }), { error: /client_id/ })
})

t.test('an msp token naming a client stands for no principal: contradictory claims never get the wider one', async (t) => {
  t.match(principalFromClaims({ sub: 'a', role: 'msp', client_id: randomUUID() }), { error: /msp token .*client_id/ })
  t.match(principalFromClaims({ sub: 'a', role: 'msp', client_id: null }), { error: /msp token .*client_id/ })
  t.match(principalFromClaims({ sub: 'a', role: 'msp', client_id: '' }), { error: /msp token .*client_id/ })
})
