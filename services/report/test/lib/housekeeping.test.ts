import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows } from '@m365/db'
import { pruneOldRows } from '../../src/lib/housekeeping.js'
import { build } from '../helper.js'

t.test('housekeeping prunes only what is old', async (t) => {
  const { app } = await build(t)
  const [old, fresh] = [randomUUID(), randomUUID()]
  await app.db.execute(sql`insert into report.outbox (id, subject, payload, sent_at) values
    ('old', 'client.created', '{}', now() - interval '2 days'), ('recent', 'client.created', '{}', now()),
    ('unsent', 'client.created', '{}', null)`)
  await app.db.execute(sql`insert into report.processed_events (event_id, processed_at) values ('old', now() - interval '31 days'), ('recent', now())`)
  await app.db.execute(sql`insert into report.staged_syncs (sync_id, tenant_id, client_id, received_at) values
    (${old}::uuid, ${old}::uuid, ${old}::uuid, now() - interval '8 days'), (${fresh}::uuid, ${fresh}::uuid, ${fresh}::uuid, now())`)
  await pruneOldRows(app.db)
  t.same((await queryRows<{ id: string }>(app.db, sql`select id from report.outbox order by id`)).map((r) => r.id), ['recent', 'unsent'])
  t.same((await queryRows<{ event_id: string }>(app.db, sql`select event_id from report.processed_events`)).map((r) => r.event_id), ['recent'])
  t.same((await queryRows<{ sync_id: string }>(app.db, sql`select sync_id from report.staged_syncs`)).map((r) => r.sync_id), [fresh])
})
