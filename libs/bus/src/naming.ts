/**
 * Stream and subject names for one namespace. A namespace (e.g. a random prefix per test file)
 * prefixes subjects (`<ns>.tenant.connected`) and stream names (`<ns>_EVENTS`), so parallel
 * test files and developers sharing one NATS server never see each other's messages.
 */
export interface Naming {
  readonly namespace: string
  readonly streams: { readonly events: string, readonly jobs: string, readonly dlq: string }
  /** The wire subject of a contract subject. */
  subject (subject: string): string
  /** Where dead letters of a contract subject go. */
  dlqSubject (subject: string): string
  /** Every dead-letter subject of the namespace (`<ns>.dlq.>`). */
  readonly dlqWildcard: string
}

const token = /^[A-Za-z0-9_-]+$/

export function createNaming (namespace = ''): Naming {
  if (namespace !== '' && !token.test(namespace)) {
    throw new Error(`bus namespace "${namespace}" may only contain letters, digits, "_" and "-"`)
  }
  const prefix = namespace === '' ? '' : `${namespace}.`
  const streamPrefix = namespace === '' ? '' : `${namespace}_`
  return {
    namespace,
    streams: { events: `${streamPrefix}EVENTS`, jobs: `${streamPrefix}JOBS`, dlq: `${streamPrefix}DLQ` },
    subject: (subject) => `${prefix}${subject}`,
    dlqSubject: (subject) => `${prefix}dlq.${subject}`,
    dlqWildcard: `${prefix}dlq.>`
  }
}

/** Durable names end up in NATS API subjects: no dots, spaces or wildcards. */
export function assertDurableName (durable: string): void {
  if (!token.test(durable)) {
    throw new Error(`durable name "${durable}" may only contain letters, digits, "_" and "-" (no dots)`)
  }
}
