import t from 'tap'
import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from '../src/index.js'

const ID = '0b6d0a8e-3c1f-4d0e-9b7a-2f1c3d4e5f60'

t.test('a cursor gives back the sort values it was made of, typed by kind', async (t) => {
  const at = new Date('2026-11-28T12:00:00.123Z').toISOString()
  const cursor = encodeCursor(['Contoso', ID, at, 7])
  t.same(decodeCursor(cursor, ['text', 'uuid', 'timestamp', 'int']), ['Contoso', ID, at, 7])
  t.same(decodeCursor(encodeCursor([-2_147_483_648, 2_147_483_647]), ['int', 'int']), [-2_147_483_648, 2_147_483_647], 'int4 bounds')
  t.equal(decodeCursor(undefined, ['int']), undefined, 'no cursor: the first page')
})

t.test('anything else is a 400 naming querystring/cursor', async (t) => {
  const bad = [
    'not base64 json', encodeCursor(['x']), encodeCursor(['x', 1]), encodeCursor([1.5, 'x']),
    Buffer.from('{"a":1}').toString('base64url'), encodeCursor(['x', 'y', 'z'])
  ]
  for (const cursor of bad) {
    const err = t.throws(() => decodeCursor(cursor, ['int', 'text'])) as InvalidCursorError
    t.ok(err instanceof InvalidCursorError, cursor)
    t.match(err, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'querystring/cursor is not a cursor this list gave out' })
  }
})

t.test('a value the column would refuse is refused here, not by Postgres', async (t) => {
  const cases: Array<[string, unknown[], Parameters<typeof decodeCursor>[1]]> = [
    ['a uuid that is not one', ['a'], ['uuid']],
    ['a number for a uuid', [1], ['uuid']],
    ['beyond int4', [2_147_483_648], ['int']],
    ['below int4', [-2_147_483_649], ['int']],
    ['a string for an int', ['1'], ['int']],
    ['a NUL in text', ['a\u0000b'], ['text']],
    ['text beyond any sort key', ['x'.repeat(1_001)], ['text']],
    ['a date that is not an instant', ['2026-11-28'], ['timestamp']],
    ['an impossible date', ['2026-13-45T00:00:00.000Z'], ['timestamp']],
    ['a timestamp with an offset', ['2026-11-28T12:00:00+01:00'], ['timestamp']]
  ]
  for (const [what, values, kinds] of cases) {
    t.throws(() => decodeCursor(encodeCursor(values as Array<string | number>), kinds), InvalidCursorError, what)
  }
})

t.test('toPage: limit + 1 rows make a page and the cursor of its last item', async (t) => {
  const rows = [{ n: 1 }, { n: 2 }, { n: 3 }]
  const page = toPage(rows, 2, (row) => row.n * 10, (row) => [row.n])
  t.same(page.items, [10, 20])
  t.same(decodeCursor(page.nextCursor ?? undefined, ['int']), [2])
  t.equal(toPage(rows, 3, (row) => row.n, (row) => [row.n]).nextCursor, null, 'no more rows: no cursor')
})
