import t from 'tap'
import { randomUUID } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import { fetch } from 'undici'
import { ok, startStack, type Stack } from './helper.js'
import { completedSync, connectTenant, createClient, readyVersion, usersListed } from './flows.js'
import { unlessServices } from './services.js'

interface Operation { security?: unknown[], parameters?: Array<{ in: string, name: string, required?: boolean }>, requestBody?: unknown }
interface Walked { method: string, path: string, operation: Operation }

/** Every operation the gateway documents: a route added later is walked too. */
async function documentedOperations (stack: Stack): Promise<Walked[]> {
  const doc = await (await fetch(`${stack.url}/openapi.json`)).json() as { paths: Record<string, Record<string, Operation>> }
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })))
}

function request (stack: Stack, op: Walked, values: Record<string, string>, headers: Record<string, string>) {
  const missing: string[] = []
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? (missing.push(name), randomUUID()))
  if (missing.length > 0) throw new Error(`${op.method} ${op.path}: no value for ${missing.join(', ')}: add it to the walk`)
  const query = new URLSearchParams()
  for (const p of op.operation.parameters ?? []) if (p.in === 'query' && p.required) query.set(p.name, values[p.name] ?? '')
  const search = query.size > 0 ? `?${query}` : ''
  return fetch(`${stack.url}${path}${search}`, {
    method: op.method,
    headers: { ...headers, ...(op.operation.requestBody ? { 'content-type': 'application/json' } : {}) },
    ...(op.operation.requestBody ? { body: '{}' } : {})
  })
}

/** Client B with everything a client can have: a synced tenant, a report with a shared and an unshared version, PSA contacts mapped to it. */
async function clientWithEverything (stack: Stack) {
  const api = stack.api()
  const clientId = await createClient(stack, 'Beta Secret Corp')
  const tenantId = await connectTenant(stack, clientId, { displayName: 'Beta Secret Tenant', userCount: 3 })
  const sync = await completedSync(api, clientId, tenantId)
  const users = await usersListed(api, clientId, 3)
  const report = ok(await api.POST('/v1/clients/{clientId}/reports', { params: { path: { clientId } }, body: { name: 'Beta Secret Report' } }), 'report')
  const shared = await readyVersion(api, report.id)
  ok(await api.POST('/v1/report-versions/{versionId}/share', { params: { path: { versionId: shared.id } } }), 'share')
  const unshared = await readyVersion(api, report.id)
  const template = ok(await api.GET('/v1/templates', {}), 'templates').items[0]!
  const values: Record<string, string> = { clientId, tenantId, syncId: sync.syncId, reportId: report.id, templateId: template.id }
  // the shared version: visible to client B's portal, so only the client scoping keeps client A out
  Object.assign(values, { versionId: shared.id, against: unshared.id, connectionId: randomUUID(), runId: randomUUID() })
  if (stack.services['contacts-ingest']) {
    const connection = ok(await api.POST('/v1/psa-connections', {
      body: { psa: 'autotask', name: 'Beta Secret PSA', baseUrl: 'http://127.0.0.1:9/ATServicesRest', webhookSecret: 'Beta-Secret-0123456789' }
    }), 'connection')
    ok(await api.PUT('/v1/psa-connections/{connectionId}/companies', {
      params: { path: { connectionId: connection.id } }, body: { companies: [{ companyExternalId: '42', clientId }] }
    }), 'mapping')
    const run = ok(await api.POST('/v1/psa-connections/{connectionId}/backfill', { params: { path: { connectionId: connection.id } } }), 'backfill')
    Object.assign(values, { connectionId: connection.id, runId: run.id })
  }
  const secrets = ['Beta Secret', ...users.map((u) => u.userPrincipalName!), ...users.map((u) => u.id)]
  return { values, secrets, versionIds: [shared.id, unshared.id] }
}

t.test('a client token walks every documented route against another client\'s resources: 404 or 403, never its data', {
  skip: unlessServices('report', 'tenant-auth', 'graph-sync')
}, async (t) => {
  const contactsIngest = unlessServices('contacts-ingest') === false
  const stack = await startStack(t, { services: ['report', 'tenant-auth', 'graph-sync', ...(contactsIngest ? ['contacts-ingest' as const] : [])] })
  if (!contactsIngest) t.comment(`PSA connection routes walked with made-up ids: ${unlessServices('contacts-ingest')}`)
  const clientA = await createClient(stack, 'Alpha')
  const b = await clientWithEverything(stack)
  const tokenA = await stack.token({ role: 'client', clientId: clientA, sub: 'alpha-user' })
  const operations = (await documentedOperations(stack)).filter((op) => op.operation.security?.length !== 0)
  t.ok(operations.length >= 38, `${operations.length} operations`)

  const leaks = (text: string) => b.secrets.filter((secret) => text.includes(secret))
  for (const op of operations) {
    const name = `${op.method} ${op.path}`
    const withIds = op.path.includes('{')
    for (const accept of op.path.endsWith('/rows') ? ['application/json', 'text/csv'] : ['application/json']) {
      const res = await request(stack, op, b.values, { authorization: `Bearer ${tokenA}`, accept })
      const body = await res.text()
      t.same(leaks(body), [], `${name} (${accept}): nothing of client B in the answer`)
      if (withIds || op.method !== 'GET') {
        t.ok(res.status === 404 || res.status === 403, `${name} (${accept}): ${res.status} is 404 or 403`)
        t.match(res.headers.get('content-type'), /^application\/problem\+json/, `${name}: a problem`)
      } else {
        t.ok([200, 403, 404].includes(res.status), `${name}: ${res.status}; a list answers with client A's own items only`)
      }
    }
  }

  // the ids were real: MSP staff read every one of them
  const msp = { authorization: `Bearer ${stack.mspToken}` }
  for (const op of operations.filter((o) => o.method === 'GET' && o.path.includes('{'))) {
    if (op.path.startsWith('/v1/psa-connections') && !contactsIngest) continue
    const res = await request(stack, op, b.values, msp)
    await res.body?.cancel()
    t.equal(res.status, 200, `MSP: ${op.method} ${op.path}`)
    // ids are uuids, whatever their letters' case: the services see them as the gateway authorised them
    const upper = await request(stack, op, Object.fromEntries(Object.entries(b.values).map(([k, v]) => [k, v?.toUpperCase()])), msp)
    await upper.body?.cancel()
    t.equal(upper.status, 200, `MSP: ${op.method} ${op.path} with upper-case ids`)
  }
  const tokenB = await stack.token({ role: 'client', clientId: b.values.clientId!, sub: 'beta-user' })
  const own = await fetch(`${stack.url}/v1/clients/${b.values.clientId!.toUpperCase()}`, { headers: { authorization: `Bearer ${tokenB}` } })
  t.equal(own.status, 200, 'a client reads itself by its upper-case id')
  t.equal(((await own.json()) as { name: string }).name, 'Beta Secret Corp')
  // and nothing client A tried changed anything
  const api = stack.api()
  t.equal(ok(await api.GET('/v1/clients/{clientId}', { params: { path: { clientId: b.values.clientId! } } }), 'B').name, 'Beta Secret Corp')
  t.equal(ok(await api.GET('/v1/clients/{clientId}/tenants/{tenantId}', { params: { path: { clientId: b.values.clientId!, tenantId: b.values.tenantId! } } }), 'tenant').status, 'connected')
  const versions = ok(await api.GET('/v1/reports/{reportId}/versions', { params: { path: { reportId: b.values.reportId! } } }), 'versions')
  t.same(versions.items.map((v) => [v.id, v.shared]), [[b.versionIds[1], false], [b.versionIds[0], true]])
  t.equal((await api.GET('/v1/templates/{templateId}', { params: { path: { templateId: b.values.templateId! } } })).response.status, 200)
})

t.test('every documented route but the consent callback: 401 without a token, with an expired one, with a foreign-signed one', async (t) => {
  const stack = await startStack(t)
  const expired = await stack.token({ role: 'msp', ttl: -3600 })
  const { privateKey } = await generateKeyPair('ES256')
  const foreign = await new SignJWT({ role: 'msp' }).setProtectedHeader({ alg: 'ES256', kid: stack.key.kid }).setSubject('mallory')
    .setIssuer(stack.key.issuer).setAudience(stack.key.audience).setIssuedAt().setExpirationTime('1h').sign(privateKey)
  const values = new Proxy({}, { get: () => randomUUID() }) as Record<string, string>
  const operations = await documentedOperations(stack)
  for (const op of operations) {
    const public_ = op.operation.security?.length === 0
    for (const [what, headers] of [['no token', {}], ['expired', { authorization: `Bearer ${expired}` }], ['foreign-signed', { authorization: `Bearer ${foreign}` }]] as const) {
      const res = await request(stack, op, values, headers)
      await res.body?.cancel()
      if (public_) t.not(res.status, 401, `${op.method} ${op.path} is public`)
      else t.equal(res.status, 401, `${op.method} ${op.path}: ${what}`)
    }
  }
})
