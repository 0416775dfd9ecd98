import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { fetch } from 'undici'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { LogCapture, ok, startStack, type Stack } from '../helper.js'
import { unlessServices } from '../services.js'

const get = (stack: Stack, headers: Record<string, string> = {}, path = '/v1/clients') => fetch(`${stack.url}${path}`, { headers })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function expect401 (t: Test, res: Awaited<ReturnType<typeof get>>, detail: RegExp, error?: string) {
  t.equal(res.status, 401)
  t.match(res.headers.get('content-type'), /^application\/problem\+json/)
  const challenge = res.headers.get('www-authenticate') ?? ''
  t.match(challenge, /^Bearer realm="m365-insight"/)
  if (error) t.match(challenge, `error="${error}"`)
  t.match(await res.json(), { status: 401, code: 'UNAUTHENTICATED', detail })
}

t.test('missing, malformed, expired, foreign-signed or claim-less tokens: 401 problem+json with WWW-Authenticate', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'] })
  await expect401(t, await get(stack), /bearer token is required/)
  await expect401(t, await get(stack, { authorization: 'Basic dXNlcjpwYXNz' }), /must be "Bearer <JWT>"/, 'invalid_request')
  await expect401(t, await get(stack, bearer('not.a.jwt')), /malformed/, 'invalid_token')
  await expect401(t, await get(stack, bearer(await stack.token({ role: 'msp', ttl: -120 }))), /expired/, 'invalid_token')

  const foreign = await generateKeyPair('ES256')
  const forged = await new SignJWT({ role: 'msp' }).setProtectedHeader({ alg: 'ES256', kid: stack.key.kid }).setSubject('mallory')
    .setIssuer(stack.key.issuer).setAudience(stack.key.audience).setIssuedAt().setExpirationTime('1h').sign(foreign.privateKey)
  await expect401(t, await get(stack, bearer(forged)), /not signed by a trusted key/, 'invalid_token')

  const unsigned = new UnsecuredJWT({ role: 'msp' }).setSubject('mallory').setIssuer(stack.key.issuer).setAudience(stack.key.audience).setExpirationTime('1h').encode()
  await expect401(t, await get(stack, bearer(unsigned)), /algorithm is not accepted|malformed/, 'invalid_token')

  const sign = (claims: Record<string, unknown>, issuer = stack.key.issuer, audience = stack.key.audience) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: stack.key.kid }).setSubject('someone')
      .setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(stack.key.privateKey)
  await expect401(t, await get(stack, bearer(await sign({ role: 'msp' }, 'https://elsewhere.example'))), /iss claim/, 'invalid_token')
  await expect401(t, await get(stack, bearer(await sign({ role: 'msp' }, undefined, 'another-api'))), /aud claim/, 'invalid_token')
  await expect401(t, await get(stack, bearer(await sign({ role: 'admin' }))), /role claim/, 'invalid_token')
  await expect401(t, await get(stack, bearer(await sign({ role: 'client' }))), /client_id/, 'invalid_token')
  await expect401(t, await get(stack, bearer(await sign({ role: 'client', client_id: 'acme' }))), /client_id/, 'invalid_token')
  // a portal user's token that also says msp (an IdP rule mapping the role too widely) is refused, not read as MSP staff
  await expect401(t, await get(stack, bearer(await sign({ role: 'msp', client_id: randomUUID() }))), /msp token .*client_id/, 'invalid_token')

  const fine = await get(stack, bearer(await sign({ role: 'msp' })))
  t.equal(fine.status, 200, 'the same token with the right claims passes')
})

t.test('a principal header sent from outside is never believed: the service sees the token\'s principal', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'] })
  const mine = ok(await stack.api().POST('/v1/clients', { body: { name: 'Mine' } }), 'create')
  ok(await stack.api().POST('/v1/clients', { body: { name: 'Theirs' } }), 'create')
  const clientToken = await stack.token({ role: 'client', clientId: mine.id })
  const forged = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'mallory' }) }
  t.equal((await get(stack, forged)).status, 401, 'a principal header is no credential')
  const res = await get(stack, { ...forged, ...bearer(clientToken) })
  t.same((await res.json() as { items: Array<{ name: string }> }).items.map((c) => c.name), ['Mine'])
})

t.test('tokens never reach the log', { skip: unlessServices('report') }, async (t) => {
  const logs = new LogCapture()
  const stack = await startStack(t, { services: ['report'], logs })
  const token = await stack.token({ role: 'client', clientId: randomUUID() })
  await get(stack, bearer(token))
  await get(stack, bearer(`${token}x`))
  await get(stack, bearer(token), '/v1/report-versions/not-a-uuid')
  t.match(logs.raw, /"url":"\/v1\/clients"/, 'requests were logged')
  t.notMatch(logs.raw, token.split('.')[2]!, 'no token signature in any log line')
  t.notMatch(logs.raw, token.split('.')[1]!, 'no token payload in any log line')
})
