import {
  DiscardPolicy, RetentionPolicy, StorageType, nanos,
  type JetStreamManager, type NatsError, type StreamConfig
} from 'nats'
import type { EventContract, StreamKind } from '@m365/contracts'
import type { Naming } from '../naming.js'

export interface StreamLimits {
  /** Dedupe window for Nats-Msg-Id (default 2 min; the scheduler relies on it). */
  duplicateWindowMs: number
  /** How long the events stream keeps history (default 7 days). */
  eventsMaxAgeMs: number
  /** How long dead letters are kept (default 30 days). */
  deadLetterMaxAgeMs: number
}

export const defaultLimits: StreamLimits = {
  duplicateWindowMs: 120_000,
  eventsMaxAgeMs: 7 * 24 * 3600_000,
  deadLetterMaxAgeMs: 30 * 24 * 3600_000
}

/**
 * The three streams of a namespace (nats-server 2.9: one filter subject per consumer):
 * EVENTS (limits retention) holds every 'events' subject, JOBS (work queue: a message is gone once
 * acked) every 'jobs' subject, DLQ every `dlq.>` subject. Created or updated idempotently; an
 * update only ever adds subjects, so processes built from different catalogs do not fight.
 */
export class NatsStreams {
  private readonly known = new Set<string>()

  constructor (
    private readonly jsm: JetStreamManager,
    private readonly naming: Naming,
    private readonly limits: StreamLimits
  ) {}

  streamOf (kind: StreamKind): string {
    return kind === 'jobs' ? this.naming.streams.jobs : this.naming.streams.events
  }

  async ensureAll (contracts: readonly EventContract[]): Promise<void> {
    const subjectsOf = (kind: StreamKind) => contracts.filter((c) => c.stream === kind).map((c) => this.naming.subject(c.subject))
    const { duplicateWindowMs, eventsMaxAgeMs, deadLetterMaxAgeMs } = this.limits
    const common = { storage: StorageType.File, duplicate_window: nanos(duplicateWindowMs) }
    await this.ensure({
      ...common, name: this.naming.streams.events, subjects: subjectsOf('events'), retention: RetentionPolicy.Limits, max_age: nanos(eventsMaxAgeMs)
    })
    await this.ensure({ ...common, name: this.naming.streams.jobs, subjects: subjectsOf('jobs'), retention: RetentionPolicy.Workqueue })
    await this.ensure({
      ...common,
      name: this.naming.streams.dlq,
      subjects: [this.naming.dlqWildcard],
      retention: RetentionPolicy.Limits,
      max_age: nanos(Math.max(deadLetterMaxAgeMs, duplicateWindowMs)),
      discard: DiscardPolicy.Old
    })
    for (const c of contracts) this.known.add(c.subject)
  }

  /** Adds a contract outside the catalog (e.g. defined in a test) to its stream. */
  async ensureSubject (contract: EventContract): Promise<void> {
    if (this.known.has(contract.subject)) return
    const name = this.streamOf(contract.stream)
    const { config } = await this.jsm.streams.info(name)
    const subject = this.naming.subject(contract.subject)
    if (!config.subjects.includes(subject)) {
      await this.jsm.streams.update(name, { ...config, subjects: [...config.subjects, subject] })
    }
    this.known.add(contract.subject)
  }

  private async ensure (wanted: Partial<StreamConfig> & { name: string, subjects: string[] }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.jsm.streams.add(wanted)
        return
      } catch (err) {
        const code = (err as NatsError).api_error?.err_code
        // 10058: exists with another configuration (more subjects, another window): update below.
        if (code === 10058) break
        // 10077: nats-server 2.9 races when another client deletes the account's last stream
        // at the same moment (its streams directory vanishes): a retry succeeds.
        if (code !== 10077 || attempt >= 5) throw err
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
      }
    }
    const { config } = await this.jsm.streams.info(wanted.name)
    const subjects = [...new Set([...config.subjects, ...wanted.subjects])]
    await this.jsm.streams.update(wanted.name, { ...config, ...wanted, subjects })
  }
}

/** Deletes the streams of a namespace (test teardown). Missing streams are fine. */
export async function deleteStreams (jsm: JetStreamManager, naming: Naming): Promise<void> {
  for (const name of Object.values(naming.streams)) {
    try {
      await jsm.streams.delete(name)
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== 10059) throw err // 10059: stream not found
    }
  }
}
