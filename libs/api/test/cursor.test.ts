import t from 'tap'
import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from '../src/index.js'

t.test('a cursor gives back the sort values it was made of, typed by kind', async (t) => {
  const cursor = encodeCursor(['Contoso', 'a1b2', 7])
  t.same(decodeCursor(cursor, ['string', 'string', 'number']), ['Contoso', 'a1b2', 7])
  t.same(decodeCursor(encodeCursor(['x', 'y']), 2), ['x', 'y'], 'a count means that many strings')
  t.equal(decodeCursor(undefined, ['number']), undefined, 'no cursor: the first page')
})

t.test('anything else is a 400 naming querystring/cursor', async (t) => {
  const bad = [
    'not base64 json', encodeCursor(['x']), encodeCursor(['x', 1]), encodeCursor([1.5, 'x']),
    Buffer.from('{"a":1}').toString('base64url'), encodeCursor(['x', 'y', 'z'])
  ]
  for (const cursor of bad) {
    const err = t.throws(() => decodeCursor(cursor, ['number', 'string'])) as InvalidCursorError
    t.ok(err instanceof InvalidCursorError, cursor)
    t.match(err, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'querystring/cursor is not a cursor this list gave out' })
  }
  t.throws(() => decodeCursor(encodeCursor([1]), 1), InvalidCursorError, 'numbers are not strings')
})

t.test('toPage: limit + 1 rows make a page and the cursor of its last item', async (t) => {
  const rows = [{ n: 1 }, { n: 2 }, { n: 3 }]
  const page = toPage(rows, 2, (row) => row.n * 10, (row) => [row.n])
  t.same(page.items, [10, 20])
  t.same(decodeCursor(page.nextCursor ?? undefined, ['number']), [2])
  t.equal(toPage(rows, 3, (row) => row.n, (row) => [row.n]).nextCursor, null, 'no more rows: no cursor')
})
