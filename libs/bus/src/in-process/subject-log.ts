import type { StreamKind } from '@m365/contracts'

export interface StoredMessage {
  readonly seq: number
  readonly msgId: string
  readonly payload: string
  /** Durables that still have to settle (ack, or dead-letter) this message. */
  readonly owed: Set<string>
}

/**
 * The stored messages of one subject. Retention (this is where it differs from NATS, which keeps
 * history by age): a message is dropped as soon as every durable registered for the subject has
 * settled it, so a durable created later only sees what is still held. While no durable exists
 * yet, messages wait for the first one. At most `maxMessages` are held; beyond that the oldest
 * go (`onDrop` reports them).
 */
export class SubjectLog {
  private readonly messages = new Map<number, StoredMessage>()
  private readonly durables = new Set<string>()
  /** whenSettled() callers of each held message */
  private readonly watchers = new Map<number, Array<(settled: boolean) => void>>()
  private nextSeq = 1

  constructor (
    readonly subject: string,
    readonly stream: StreamKind,
    private readonly maxMessages: number,
    private readonly onDrop: (message: StoredMessage) => void
  ) {}

  get size (): number {
    return this.messages.size
  }

  /** Without a msgId the message is known as `seq-<n>` (as the NATS adapter names one without Nats-Msg-Id). */
  append (msgId: string | undefined, payload: string): StoredMessage {
    const seq = this.nextSeq++
    const message: StoredMessage = { seq, msgId: msgId ?? `seq-${seq}`, payload, owed: new Set(this.durables) }
    this.messages.set(message.seq, message)
    while (this.messages.size > this.maxMessages) {
      const oldest = this.messages.values().next().value as StoredMessage
      this.remove(oldest.seq, false)
      this.onDrop(oldest)
    }
    return message
  }

  /**
   * Resolves true once every durable has settled the message; false when it is dropped unsettled (the log
   * was full), or when a durable owing it stops consuming (abandon) or the bus closes (abandonAll).
   */
  async whenSettled (seq: number): Promise<boolean> {
    if (!this.messages.has(seq)) return true
    return await new Promise((resolve) => {
      const list = this.watchers.get(seq) ?? []
      list.push(resolve)
      this.watchers.set(seq, list)
    })
  }

  /** The held message published with this id, if any. */
  held (msgId: string): StoredMessage | undefined {
    for (const m of this.messages.values()) if (m.msgId === msgId) return m
    return undefined
  }

  /** `durable` has no subscriber left: whoever waits for a message it owes stops waiting (the message stays held). */
  abandon (durable: string): void {
    for (const [seq, list] of this.watchers) {
      if (!this.messages.get(seq)?.owed.has(durable)) continue
      this.watchers.delete(seq)
      for (const resolve of list) resolve(false)
    }
  }

  abandonAll (): void {
    for (const list of this.watchers.values()) for (const resolve of list) resolve(false)
    this.watchers.clear()
  }

  /** A new durable owes every message still held. A work-queue subject takes one durable only (as in NATS). */
  register (durable: string): void {
    if (this.durables.has(durable)) return
    if (this.stream === 'jobs' && this.durables.size > 0) {
      throw new Error(`work-queue subject ${this.subject} already has durable ${[...this.durables].join(', ')}; replicas must share it`)
    }
    this.durables.add(durable)
    for (const m of this.messages.values()) m.owed.add(durable)
  }

  get (seq: number): StoredMessage | undefined {
    return this.messages.get(seq)
  }

  /** The first held message at or after `seq`. */
  next (seq: number): StoredMessage | undefined {
    const first = this.messages.keys().next().value
    if (first === undefined) return undefined
    for (let s = Math.max(seq, first); s < this.nextSeq; s++) {
      const m = this.messages.get(s)
      if (m) return m
    }
    return undefined
  }

  /** Held messages at or after `seq` that `durable` still owes. */
  countOwed (durable: string, fromSeq: number): number {
    let n = 0
    for (const m of this.messages.values()) if (m.seq >= fromSeq && m.owed.has(durable)) n++
    return n
  }

  settle (seq: number, durable: string): void {
    const m = this.messages.get(seq)
    if (!m) return
    m.owed.delete(durable)
    if (m.owed.size === 0) this.remove(seq, true)
  }

  private remove (seq: number, settled: boolean): void {
    this.messages.delete(seq)
    const list = this.watchers.get(seq)
    if (!list) return
    this.watchers.delete(seq)
    for (const resolve of list) resolve(settled)
  }
}
