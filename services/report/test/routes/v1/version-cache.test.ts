import t from 'tap'
import { asClient, build, MSP } from '../../helper.js'
import { connectTenant, createClient, createReport, createVersion, syncTenant, user } from '../../fixtures.js'
import { matchesEtag, PageCache } from '../../../src/routes/v1/page-cache.js'

async function seed (t: Parameters<typeof build>[0]) {
  const { app } = await build(t)
  const owner = await createClient(app, 'Owner')
  const other = await createClient(app, 'Other')
  await syncTenant(app, {
    tenantId: await connectTenant(app, owner),
    clientId: owner,
    users: ['Ann', 'Bob', 'Cat', 'Dan', 'Eve'].map((name) => user({ displayName: `${name} Secretive`, mail: `${name.toLowerCase()}@owner.example` }))
  })
  const version = await createVersion(app, await createReport(app, owner))
  return { app, owner, other, version }
}

t.test('rows pages: cached bytes and ETag for whoever may read the version, decided on every request (warm cache included)', async (t) => {
  const { app, owner, other, version } = await seed(t)
  const url = `/v1/report-versions/${version.id}/rows?limit=2`
  const read = (headers: Record<string, string>) => app.inject({ url, headers })

  const cold = await read(MSP)
  t.equal(cold.statusCode, 200)
  t.match(cold.headers['content-type'], /^application\/json/)
  t.match(cold.headers['cache-control'], /private/)
  const etag = cold.headers.etag as string
  t.match(etag, /^".+"$/, 'an ETag')
  t.equal(cold.json().items.length, 2)
  const warm = await read(MSP)
  t.equal(warm.body, cold.body, 'the same bytes from the cache')
  t.equal(warm.headers.etag, etag)
  const next = await app.inject({ url: `${url}&cursor=${cold.json().nextCursor}`, headers: MSP })
  t.not(next.headers.etag, etag, 'another page, another tag')
  t.not(next.body, cold.body)

  const notModified = await read({ ...MSP, 'if-none-match': etag })
  t.equal(notModified.statusCode, 304, 'If-None-Match with its tag: 304')
  t.equal(notModified.body, '')
  t.equal((await read({ ...MSP, 'if-none-match': `W/${etag}, "other"` })).statusCode, 304, 'weak and listed tags match too')
  t.equal((await read({ ...MSP, 'if-none-match': '"other"' })).statusCode, 200)

  // the MSP warmed the cache; the client's own portal sees the version only once it is shared
  for (const headers of [asClient(owner), { ...asClient(owner), 'if-none-match': etag }]) {
    const res = await read(headers)
    t.equal(res.statusCode, 404, 'not shared: 404 for the owner\'s portal, warm cache or not, tag or not')
    t.notMatch(res.body, 'Secretive')
  }
  await app.inject({ method: 'POST', url: `/v1/report-versions/${version.id}/share`, headers: MSP })
  const shared = await read(asClient(owner))
  t.equal(shared.statusCode, 200)
  t.equal(shared.body, cold.body, 'shared: the same bytes')
  for (const headers of [asClient(other), { ...asClient(other), 'if-none-match': etag }]) {
    const res = await read(headers)
    t.equal(res.statusCode, 404, 'another client: 404 on a warm cache, its tag known or not')
    t.notMatch(res.body, 'Secretive', 'and none of the data')
  }
  await app.inject({ method: 'POST', url: `/v1/report-versions/${version.id}/unshare`, headers: MSP })
  t.equal((await read(asClient(owner))).statusCode, 404, 'unshared again: 404 at once, although the page is cached')
})

t.test('version metadata: ETag of what is sent, 304 while it is unchanged, a new tag once sharing changes it', async (t) => {
  const { app, owner, other, version } = await seed(t)
  const url = `/v1/report-versions/${version.id}`
  const first = await app.inject({ url, headers: MSP })
  t.equal(first.statusCode, 200)
  t.equal(first.headers['cache-control'], 'private, no-cache')
  const etag = first.headers.etag as string
  t.same(first.json(), version, 'the same version as before')
  t.equal((await app.inject({ url, headers: { ...MSP, 'if-none-match': etag } })).statusCode, 304)
  t.equal((await app.inject({ url, headers: { ...asClient(other), 'if-none-match': etag } })).statusCode, 404, 'another client: 404, not 304')

  await app.inject({ method: 'POST', url: `${url}/share`, headers: MSP })
  const changed = await app.inject({ url, headers: { ...MSP, 'if-none-match': etag } })
  t.equal(changed.statusCode, 200, 'shared since: the old tag no longer matches')
  t.equal(changed.json().shared, true)
  t.not(changed.headers.etag, etag)
  const portal = await app.inject({ url, headers: { ...asClient(owner), 'if-none-match': changed.headers.etag as string } })
  t.equal(portal.statusCode, 304, 'the owner\'s portal, now that it is shared')
})

t.test('page cache: bounded by bytes, least recently used out first; If-None-Match parsing', async (t) => {
  const cache = new PageCache(10)
  cache.set('a', Buffer.alloc(4))
  cache.set('b', Buffer.alloc(4))
  t.ok(cache.get('a'), 'a is now the most recently used')
  cache.set('c', Buffer.alloc(4))
  t.same(cache.size, { entries: 2, bytes: 8 })
  t.equal(cache.get('b'), undefined, 'b went')
  t.ok(cache.get('a') && cache.get('c'))
  cache.set('huge', Buffer.alloc(11))
  t.equal(cache.get('huge'), undefined, 'larger than the whole cache: not kept')
  cache.set('a', Buffer.alloc(2))
  t.same(cache.size, { entries: 2, bytes: 6 }, 'replacing counts the new size')

  t.ok(matchesEtag('"x"', '"x"'))
  t.ok(matchesEtag('W/"x"', '"x"'))
  t.ok(matchesEtag('"y", "x"', '"x"'))
  t.ok(matchesEtag('*', '"x"'))
  t.notOk(matchesEtag(undefined, '"x"'))
  t.notOk(matchesEtag('"xx"', '"x"'))
})
