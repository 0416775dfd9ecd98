import t from 'tap'
import { fetch } from 'undici'
import { ok, startStack } from '../../helper.js'
import { waitReady } from '../../flows.js'
import { unlessServices } from '../../services.js'

t.test('version pages and metadata: ETag and 304 through the gateway, the caller authorised on every request', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'] })
  const api = stack.api()
  const owner = ok(await api.POST('/v1/clients', { body: { name: 'Owner' } }), 'client').id
  const other = ok(await api.POST('/v1/clients', { body: { name: 'Other' } }), 'client').id
  const report = ok(await api.POST('/v1/clients/{clientId}/reports', { params: { path: { clientId: owner } }, body: { name: 'Monthly' } }), 'report')
  const accepted = ok(await api.POST('/v1/reports/{reportId}/versions', { params: { path: { reportId: report.id } } }), 'version')
  const version = await waitReady(api, accepted.id)
  ok(await api.POST('/v1/report-versions/{versionId}/share', { params: { path: { versionId: version.id } } }), 'share')
  const [ownerToken, otherToken] = await Promise.all([stack.token({ role: 'client', clientId: owner }), stack.token({ role: 'client', clientId: other })])
  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } })

  for (const path of [`/v1/report-versions/${version.id}/rows?limit=10`, `/v1/report-versions/${version.id}`]) {
    const first = await get(path, stack.mspToken)
    t.equal(first.status, 200, path)
    const etag = first.headers.get('etag')!
    t.match(etag, /^".+"$/, 'the service\'s ETag is relayed')
    t.match(first.headers.get('cache-control'), /^private/)
    await first.arrayBuffer()
    const head = await fetch(`${stack.url}${path}`, { method: 'HEAD', headers: { authorization: `Bearer ${stack.mspToken}` } })
    t.equal(head.status, 200, 'HEAD, forwarded as HEAD')
    t.equal(head.headers.get('etag'), etag, 'HEAD: the same tag')
    t.equal(await head.text(), '')
    const again = await get(path, stack.mspToken, { 'if-none-match': etag })
    t.equal(again.status, 304, 'If-None-Match reaches the service: 304')
    t.equal(await again.text(), '')
    t.equal((await get(path, ownerToken, { 'if-none-match': etag })).status, 304, 'the owner\'s portal, shared version')
    const stranger = await get(path, otherToken, { 'if-none-match': etag })
    t.equal(stranger.status, 404, 'another client with the tag: 404, not 304')
    await stranger.arrayBuffer()
  }
})
