import { sql } from 'drizzle-orm'
import { bigserial, index, integer, jsonb, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core'

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

/**
 * The transactional outbox of a service, in its own Postgres schema: call it in the service's schema.ts
 * (`export const outbox = outboxTable(tenantAuth)`), so drizzle-kit generates the table with the others.
 * Events are written with the state change that causes them and published afterwards with `id` as the
 * message id; `seq` keeps the order they were written in, `lease_until` who is publishing a row now.
 */
export function outboxTable<S extends string> (schema: PgSchema<S>) {
  return schema.table('outbox', {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    /** the event id (the bus message id): a uuid, or a deterministic id given to enqueue */
    id: text('id').notNull().unique(),
    subject: text('subject').notNull(),
    /** the whole event, as published */
    payload: jsonb('payload').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    leaseUntil: at('lease_until'),
    sentAt: at('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error')
  }, (t) => [index('outbox_unsent_idx').on(t.seq).where(sql`sent_at is null`)])
}

export type OutboxTable = ReturnType<typeof outboxTable<string>>
