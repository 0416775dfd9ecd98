import { AckPolicy, DeliverPolicy, nanos, type JetStreamClient, type JetStreamManager } from 'nats'
import type { DeadLetter } from '../event-bus.js'
import type { Naming } from '../naming.js'

/** Stores a dead letter on `dlq.<subject>`; `dedupeId` makes a retry after a crash harmless. */
export async function publishDeadLetter (js: JetStreamClient, naming: Naming, letter: DeadLetter, dedupeId: string): Promise<void> {
  await js.publish(naming.dlqSubject(letter.subject), JSON.stringify(letter), { msgID: dedupeId })
}

/**
 * Reads the dead letters of one subject, oldest first, through a short-lived ephemeral consumer
 * (nats-server 2.9 has no batch direct get). Counts first so it never waits for messages that are not there.
 */
export async function readDeadLetters (
  js: JetStreamClient, jsm: JetStreamManager, naming: Naming, subject: string, limit: number
): Promise<DeadLetter[]> {
  const stream = naming.streams.dlq
  const wire = naming.dlqSubject(subject)
  const info = await jsm.streams.info(stream, { subjects_filter: wire })
  const count = Math.min(info.state.subjects?.[wire] ?? 0, limit)
  if (count === 0) return []
  const ci = await jsm.consumers.add(stream, {
    filter_subject: wire,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: nanos(60_000)
  })
  try {
    const consumer = await js.consumers.get(stream, ci.name)
    const letters: DeadLetter[] = []
    while (letters.length < count) {
      const batch = await consumer.fetch({ max_messages: count - letters.length, expires: 5_000 })
      const before = letters.length
      for await (const m of batch) letters.push(m.json<DeadLetter>())
      if (letters.length === before) break
    }
    return letters
  } finally {
    await jsm.consumers.delete(stream, ci.name).catch(() => {})
  }
}
