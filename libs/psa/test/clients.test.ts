import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAutotaskClient, createConnectWiseClient, createHaloClient, PsaPayloadError } from '@m365/psa'

/** A throw-away HTTP endpoint answering with `handler`; the real PSA APIs are exercised in tools/psa-simulator. */
async function endpoint (t: Test, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = []
  const server = createServer((req, res) => { seen.push(`${req.method} ${req.url}`); handler(req, res) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))

const atOptions = { integrationCode: 'c', username: 'u', secret: 's' }

t.test('Autotask: credentials never follow a nextPageUrl to another origin', async (t) => {
  const other = await endpoint(t, (_req, res) => json(res, { items: [], pageDetails: { nextPageUrl: null } }))
  const api = await endpoint(t, (_req, res) => json(res, { items: [{ id: 1 }], pageDetails: { nextPageUrl: `${other.origin}/steal` } }))
  const pages = createAutotaskClient({ ...atOptions, baseUrl: `${api.origin}/ATServicesRest` }).listContacts()
  t.match((await pages.next()).value, { page: 1, contacts: [{ externalId: '1' }] })
  await t.rejects(pages.next(), new PsaPayloadError('autotask', 'pageDetails.nextPageUrl', `must stay on ${api.origin}`))
  t.same(other.seen, [])
})

t.test('Autotask: a broken get-by-id answer is an error, not a deletion', async (t) => {
  const api = await endpoint(t, (req, res) => json(res, req.url?.endsWith('/1') ? { item: null } : { unexpected: true }))
  const client = createAutotaskClient({ ...atOptions, baseUrl: api.origin })
  t.equal(await client.getContact(1), null)
  await t.rejects(client.getContact(2), { name: 'PsaPayloadError', field: 'item' })
})

t.test('ConnectWise: a Link rel="next" to another origin is not followed; invalid records are reported per page', async (t) => {
  const other = await endpoint(t, (_req, res) => json(res, []))
  const api = await endpoint(t, (_req, res) => json(res, [{ id: 1 }, { id: 'two' }], { link: `<${other.origin}/next>; rel="next"` }))
  const pages = []
  for await (const page of createConnectWiseClient({ baseUrl: api.origin, companyId: 'c', publicKey: 'p', privateKey: 'k', clientId: 'i' }).listContacts()) {
    pages.push(page)
  }
  t.equal(pages.length, 1)
  t.same(pages[0]?.contacts.map((c) => c.externalId), ['1'])
  t.same(pages[0]?.invalid.map((e) => e.message), ['[1].id must be integer'])
  t.same(other.seen, [])
  t.match(api.seen, [/^GET \/company\/contacts\?orderBy=id\+asc&pageSize=1000&page=1$/])
})

t.test('ConnectWise: company filter and change date become conditions', async (t) => {
  const api = await endpoint(t, (_req, res) => json(res, []))
  const client = createConnectWiseClient({ baseUrl: `${api.origin}/v4_6_release/apis/3.0`, companyId: 'c', publicKey: 'p', privateKey: 'k', clientId: 'i' })
  for await (const page of client.listContacts({ companyIds: [250, '251'], updatedSince: '2025-06-01T00:00:00.000Z' })) t.same(page.contacts, [])
  const url = new URL(api.seen[0]!.slice('GET '.length), api.origin)
  t.equal(url.pathname, '/v4_6_release/apis/3.0/company/contacts')
  t.equal(url.searchParams.get('conditions'), 'company/id in (250,251) and lastUpdated>[2025-06-01T00:00:00Z]')
  await t.rejects(client.listContacts({ companyIds: ['x'] }).next(), TypeError)
})

t.test('HaloPSA: token request is a client-credentials form post, with ?tenant= for hosted tenants', async (t) => {
  const bodies: string[] = []
  const api = await endpoint(t, (req, res) => {
    if (req.url?.startsWith('/auth/token')) {
      let body = ''
      req.on('data', (c: Buffer) => { body += c.toString() })
      req.on('end', () => { bodies.push(body); json(res, { access_token: 'tok', expires_in: 3600 }) })
      return
    }
    if (req.headers.authorization !== 'Bearer tok') return res.writeHead(401).end()
    json(res, { record_count: 0, users: [] })
  })
  const client = createHaloClient({ baseUrl: api.origin, tenant: 'acme', clientId: 'id', clientSecret: 'se:cret' })
  for await (const page of client.listContacts()) t.same(page.contacts, [])
  t.same(bodies, ['grant_type=client_credentials&client_id=id&client_secret=se%3Acret&scope=all'])
  t.match(api.seen, ['POST /auth/token?tenant=acme', /^GET \/api\/Users\?pageinate=true&page_size=100&page_no=1&includeactive=true&includeinactive=true$/])
})

const cwOptions = { companyId: 'c', publicKey: 'p', privateKey: 'k', clientId: 'i' }

t.test('ConnectWise: a PSA that repeats a page fails the listing instead of being read until maxPages', async (t) => {
  // a Link rel="next" pointing back at the page just read
  const looping = await endpoint(t, (req, res) => json(res, [{ id: 1 }, { id: 2 }], { link: `<${req.url}>; rel="next"` }))
  const viaLink = createConnectWiseClient({ ...cwOptions, baseUrl: looping.origin }).listContacts({ maxPages: 20 })
  t.match((await viaLink.next()).value, { page: 1, contacts: [{ externalId: '1' }, { externalId: '2' }] })
  await t.rejects(viaLink.next(), { name: 'PsaPayloadError', field: 'Link' })
  // no Link header, `page` ignored: every full page is page 1 again
  const ignoring = await endpoint(t, (_req, res) => json(res, [{ id: 1 }, { id: 2 }]))
  const viaPage = createConnectWiseClient({ ...cwOptions, baseUrl: ignoring.origin }).listContacts({ pageSize: 2, maxPages: 20 })
  t.match((await viaPage.next()).value, { page: 1 })
  await t.rejects(viaPage.next(), { name: 'PsaPayloadError', message: /page 2 repeats records already read/ })
  t.equal(ignoring.seen.length, 2)
})

t.test('Autotask: a nextPageUrl already followed fails the listing', async (t) => {
  const api = await endpoint(t, (_req, res) => json(res, { items: [{ id: 7 }], pageDetails: { nextPageUrl: `${api.origin}/ATServicesRest/V1.0/Contacts/query/next?paging=same` } }))
  const pages = createAutotaskClient({ ...atOptions, baseUrl: `${api.origin}/ATServicesRest` }).listContacts({ maxPages: 20 })
  t.match((await pages.next()).value, { page: 1 })
  t.match((await pages.next()).value, { page: 2 }, 'the first nextPageUrl is read')
  await t.rejects(pages.next(), { name: 'PsaPayloadError', field: 'pageDetails.nextPageUrl' })
  t.equal(api.seen.length, 2)
})

t.test('HaloPSA: paging follows the records Halo sent when it caps page_size without saying so; an empty page ends it', async (t) => {
  const users = [1, 2, 3, 4, 5].map((id) => ({ id, name: `User ${id}`, client_id: 9 }))
  let recordCount = 5
  const api = await endpoint(t, (req, res) => {
    if (req.url?.startsWith('/auth/token')) return json(res, { access_token: 'tok', expires_in: 3600 })
    const pageNo = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page_no'))
    json(res, { record_count: recordCount, users: users.slice((pageNo - 1) * 2, pageNo * 2) }) // at most 2, whatever was asked
  })
  const client = createHaloClient({ baseUrl: api.origin, clientId: 'id', clientSecret: 's' })
  const pages = []
  for await (const page of client.listContacts({ pageSize: 100 })) pages.push(page.contacts.map((c) => c.externalId))
  t.same(pages, [['1', '2'], ['3', '4'], ['5']])
  t.equal(api.seen.filter((s) => s.startsWith('GET /api/Users')).length, 3)

  recordCount = 7 // overstated (users deleted meanwhile): the empty page after the last one ends the listing
  users.splice(4) // 1-4 left
  api.seen.length = 0
  const again = []
  for await (const page of client.listContacts({ pageSize: 100 })) again.push(...page.contacts.map((c) => c.externalId))
  t.same(again, ['1', '2', '3', '4'])
  t.equal(api.seen.length, 3, 'pages 1 and 2, then the empty page 3')
})
