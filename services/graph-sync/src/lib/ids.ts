import { createHash } from 'node:crypto'

/**
 * A UUID (version 5 layout, SHA-1 of a name) that is the same every time for the same name: a job
 * enqueued twice for one tenant and slot, or for one tenant.connected event, gets one sync id.
 */
export function uuidFromName (name: string): string {
  const hash = createHash('sha1').update(`graph-sync:${name}`).digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Event ids of one sync's events: a republish after a crash carries the same id, so it is deduplicated. */
export const syncEventId = (syncId: string, subject: string, batch: number) => `${syncId}:${subject}:${batch}`
