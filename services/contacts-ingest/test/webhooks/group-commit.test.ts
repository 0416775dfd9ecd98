import { createHmac, randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { build, createConnection, rowCounts, type Harness } from '../helper.js'

const secret = 'group-commit-secret'
const GUID = '9a1e2f3a-7b4d-4e8a-9c55-0d1e2f3a4b5c'
const body = (seq: number, guid = GUID) => JSON.stringify({
  Action: 'Update', Guid: guid, EntityType: 'Contact', Id: 7100 + seq, Fields: {}, EventTime: '2025-06-02T14:07:32.103Z', SequenceNumber: seq
})

async function post (h: Harness, id: string, seq: number, guid?: string) {
  const payload = body(seq, guid)
  const signature = `sha1=${createHmac('sha1', secret).update(payload).digest('base64')}`
  return await h.app.inject({ method: 'POST', url: `/webhooks/autotask/${id}`, payload, headers: { 'content-type': 'application/json', 'x-hook-signature': signature } })
}

const storedKeys = async (h: Harness) =>
  (await h.query<{ dedupe_key: string }>(sql`select dedupe_key from contacts_ingest.webhook_deliveries order by dedupe_key`)).map((r) => r.dedupe_key)

async function setup (t: Test) {
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { id } = await createConnection(h.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: secret })
  return { h, id }
}

t.test('a group commit that fails answers 5xx to every delivery in it and stores none; sent again, they are stored', async (t) => {
  const { h, id } = await setup(t)
  // the database refuses every delivery (a real failure of the statement, not a stand-in)
  await h.query(sql.raw(`create function contacts_ingest.refuse_delivery() returns trigger language plpgsql as $$
    begin raise exception 'deliveries refused by the test'; end $$`))
  await h.query(sql.raw('create trigger refuse before insert on contacts_ingest.webhook_deliveries for each row execute function contacts_ingest.refuse_delivery()'))
  const refused = await Promise.all(Array.from({ length: 20 }, (_, i) => post(h, id, i + 1)))
  t.same(refused.map((r) => r.statusCode), Array(20).fill(500), 'no 202: nothing was committed')
  t.equal(refused[0]?.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.same(await storedKeys(h), [], 'nothing stored')

  await h.query(sql.raw('drop trigger refuse on contacts_ingest.webhook_deliveries'))
  const again = await Promise.all(Array.from({ length: 20 }, (_, i) => post(h, id, i + 1)))
  t.same(again.map((r) => r.statusCode), Array(20).fill(202), 'the PSA\'s retries are accepted')
  t.same(again.map((r) => r.json().duplicate), Array(20).fill(false), 'as new deliveries')
  t.equal((await storedKeys(h)).length, 20)
})

t.test('one delivery that breaks a constraint fails alone; every 202 in the same burst is stored, once', async (t) => {
  const { h, id } = await setup(t)
  await h.query(sql.raw(`create function contacts_ingest.refuse_seq_7() returns trigger language plpgsql as $$
    begin if new.dedupe_key like '%:7' then raise exception 'sequence 7 refused' using errcode = 'check_violation'; end if; return new; end $$`))
  await h.query(sql.raw('create trigger refuse_7 before insert on contacts_ingest.webhook_deliveries for each row execute function contacts_ingest.refuse_seq_7()'))
  // 1..12 with 3 and 5 sent twice in the burst: repeats are duplicates of the first, as before group commit
  const seqs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 5]
  const answers = await Promise.all(seqs.map((s) => post(h, id, s)))
  const byStatus = (status: number) => seqs.filter((_, i) => answers[i]?.statusCode === status)
  t.same(byStatus(500), [7], 'only the refused delivery is 5xx')
  t.same(byStatus(202).sort((x, y) => x - y), [1, 2, 3, 3, 4, 5, 5, 6, 8, 9, 10, 11, 12])
  t.same(answers.filter((r) => r.statusCode === 202 && r.json().duplicate).length, 2, 'the two repeats are duplicates')
  const keys = await storedKeys(h)
  t.equal(keys.length, 11, 'each accepted delivery stored once')
  t.notOk(keys.some((k) => k.endsWith(':7')))
  const replay = await post(h, id, 4)
  t.same([replay.statusCode, replay.json().duplicate], [202, true], 'a replay of a stored delivery stays a duplicate')
})

t.test('a correctly signed body whose Guid holds a control character is a 400 naming it; the rest of its burst is stored', async (t) => {
  const { h, id } = await setup(t)
  const nul = `${GUID}\u0000`
  const before = await rowCounts(h)
  const alone = await post(h, id, 1, nul)
  t.equal(alone.statusCode, 400)
  t.equal(alone.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(alone.json(), { status: 400, code: 'INVALID_PAYLOAD', detail: /^Guid / })
  t.same(await rowCounts(h), before, 'nothing was written')

  const seqs = [1, 2, 3, 4, 5, 6, 7, 8]
  const answers = await Promise.all(seqs.map((s) => post(h, id, s, s === 4 ? nul : GUID)))
  t.same(answers.map((r) => r.statusCode), [202, 202, 202, 400, 202, 202, 202, 202])
  t.equal((await storedKeys(h)).length, 7)
})

t.test('a row the database refuses for any reason but the connection fails alone; the rest of its statement is stored', async (t) => {
  const { h, id } = await setup(t)
  // not an integrity violation: what an index entry over the btree limit raises
  await h.query(sql.raw(`create function contacts_ingest.refuse_seq_7() returns trigger language plpgsql as $$
    begin if new.dedupe_key like '%:7' then raise exception 'sequence 7 refused' using errcode = 'program_limit_exceeded'; end if; return new; end $$`))
  await h.query(sql.raw('create trigger refuse_7 before insert on contacts_ingest.webhook_deliveries for each row execute function contacts_ingest.refuse_seq_7()'))
  const seqs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const answers = await Promise.all(seqs.map((s) => post(h, id, s)))
  t.same(seqs.filter((_, i) => answers[i]?.statusCode === 500), [7], 'only the refused delivery is 5xx')
  t.same(seqs.filter((_, i) => answers[i]?.statusCode === 202), [1, 2, 3, 4, 5, 6, 8, 9, 10])
  t.equal((await storedKeys(h)).length, 9)
})

t.test('an over-long Guid is stored under a bounded key; its repeat is a duplicate', async (t) => {
  const { h, id } = await setup(t)
  const long = randomBytes(15_000).toString('base64') // far over the btree entry limit, and hardly compressible
  const answers = await Promise.all([1, 2, 3].map((s) => post(h, id, s, s === 2 ? long : GUID)))
  t.same(answers.map((r) => r.statusCode), [202, 202, 202])
  const keys = await storedKeys(h)
  t.equal(keys.length, 3)
  t.ok(keys.every((k) => k.length <= 256), 'every key bounded')
  const repeat = await post(h, id, 2, long)
  t.same([repeat.statusCode, repeat.json().duplicate], [202, true])
})
