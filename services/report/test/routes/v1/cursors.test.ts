import t from 'tap'
import { encodeCursor } from '@m365/api'
import { build, MSP } from '../../helper.js'
import { connectTenant, createClient, createReport, createVersion, E3, syncTenant, user } from '../../fixtures.js'

// Cursors that decode (base64url JSON arrays of the right length) but carry values the list's columns
// would refuse: each must be a 400 naming the cursor, never a 500 from Postgres.
const ID = '0b6d0a8e-3c1f-4d0e-9b7a-2f1c3d4e5f60'

t.test('every paged list refuses a cursor whose values are of the wrong kind with a 400', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  await syncTenant(app, { tenantId: await connectTenant(app, clientId), clientId, users: [user({ displayName: 'Ann', licenses: [E3] })] })
  const reportId = await createReport(app, clientId)
  const version = await createVersion(app, reportId)

  const lists: Array<[string, Array<Array<string | number>>]> = [
    ['/v1/clients', [['a', 'not-a-uuid'], ['a\u0000', ID]]],
    ['/v1/templates', [['a', 'not-a-uuid']]],
    [`/v1/clients/${clientId}/reports`, [['yesterday', ID], [new Date().toISOString(), 'x']]],
    [`/v1/reports/${reportId}/versions`, [[2 ** 31], ['1']]],
    [`/v1/report-versions/${version.id}/rows`, [[Number.MAX_SAFE_INTEGER], [-(2 ** 31) - 1]]],
    [`/v1/clients/${clientId}/office365/users`, [['a', 'b', 'c'], ['ann', ID, 'x']]],
    [`/v1/clients/${clientId}/office365/licenses`, [['ENTERPRISEPACK', 'sku']]]
  ]
  for (const [path, cursors] of lists) {
    t.equal((await app.inject({ url: path, headers: MSP })).statusCode, 200, `${path} answers without a cursor`)
    for (const values of cursors) {
      const res = await app.inject({ url: `${path}?cursor=${encodeCursor(values)}`, headers: MSP })
      t.equal(res.statusCode, 400, `${path} ${JSON.stringify(values)}`)
      t.match(res.headers['content-type'], /application\/problem\+json/)
      t.match(res.json(), { code: 'VALIDATION_FAILED', detail: /querystring\/cursor/ })
    }
  }
})

t.test('a page ending on a long non-ASCII name gives a cursor the next request accepts', async (t) => {
  const { app } = await build(t)
  for (const letter of ['ü', 'ж', '語']) {
    const res = await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: letter.repeat(200) } })
    t.equal(res.statusCode, 201, res.body)
  }
  const names: string[] = []
  let cursor: string | null = null
  do {
    const res: { statusCode: number, body: string, json: <T>() => T } = await app.inject({ url: `/v1/clients?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: MSP })
    t.equal(res.statusCode, 200, res.body)
    const page: { items: Array<{ name: string }>, nextCursor: string | null } = res.json()
    names.push(...page.items.map((c) => c.name))
    cursor = page.nextCursor
  } while (cursor)
  t.equal(names.length, 3, 'every client reached')
})
