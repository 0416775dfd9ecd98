import t from 'tap'
import type { NormalizedContact } from '@m365/psa'
import { decide } from '../../src/index.js'
import type { ContactRow } from '../../src/contacts/state.js'
import type { Decision } from '../../src/contacts/decide.js'

const connectionId = '00000000-0000-4000-8000-000000000001'

function row (over: Partial<ContactRow> = {}): ContactRow {
  return {
    connectionId,
    externalId: '7',
    psa: 'autotask',
    companyExternalId: '10',
    companyName: null,
    firstName: 'Dana',
    lastName: 'Reyes',
    emails: [{ address: 'dana@x.example', primary: true, sourceField: 'emailAddress' }],
    phone: null,
    title: 'IT',
    active: true,
    psaUpdatedAt: new Date('2025-06-02T10:00:00Z'),
    sourceSeq: 10,
    eventTime: null,
    deleted: false,
    deletedAt: null,
    revision: 3,
    clientId: null,
    changedAt: new Date('2025-06-02T10:00:01Z'),
    lastSeenRunId: null,
    ...over
  }
}

function contact (over: Partial<NormalizedContact> = {}): NormalizedContact {
  return {
    psa: 'autotask',
    tenantKey: connectionId,
    externalId: '7',
    companyExternalId: '10',
    companyName: null,
    firstName: 'Dana',
    lastName: 'Reyes',
    emails: [{ address: 'dana@x.example', primary: true, sourceField: 'emailAddress' }],
    phone: null,
    title: 'IT',
    active: true,
    updatedAt: '2025-06-02T10:00:00.000Z',
    deleted: false,
    partial: false,
    ...over
  }
}

const later = '2025-06-02T11:00:00.000Z'
const earlier = '2025-06-02T09:00:00.000Z'
const observedAt = new Date('2025-06-03T00:00:00Z')

t.test('REST data: created, stale when older, replaces when newer or on an equal timestamp', async (t) => {
  t.match(decide(undefined, { kind: 'rest', contact: contact(), observedAt }), { action: 'write', outcome: 'created' })
  t.match(decide(row(), { kind: 'rest', contact: contact({ updatedAt: earlier, title: 'old' }), observedAt }), { action: 'none', outcome: 'stale' })
  t.match(decide(row(), { kind: 'rest', contact: contact({ updatedAt: later, title: 'CTO' }), observedAt }),
    { action: 'write', outcome: 'updated', content: { title: 'CTO' } })
  t.match(decide(row(), { kind: 'rest', contact: contact({ title: 'CTO' }), observedAt }), { action: 'write', outcome: 'updated' },
    'same second (ConnectWise precision), different content: the PSA\'s answer wins')
  t.match(decide(row(), { kind: 'rest', contact: contact(), observedAt }), { action: 'none', outcome: 'unchanged' })
})

t.test('a tombstone comes back only with REST data observed after it was written', async (t) => {
  const tombstone = row({ deleted: true, deletedAt: new Date('2025-06-02T12:00:00Z') })
  t.match(decide(tombstone, { kind: 'rest', contact: contact({ updatedAt: later }), observedAt: new Date('2025-06-02T11:59:00Z') }),
    { action: 'none', outcome: 'stale' }, 'fetched before the delete was recorded')
  t.match(decide(tombstone, { kind: 'rest', contact: contact({ updatedAt: later }), observedAt }), { action: 'write', outcome: 'created' })
  t.match(decide(tombstone, { kind: 'webhook', contact: contact({ updatedAt: later }) }), { action: 'refetch' }, 'a webhook is only a hint')
  t.match(decide(tombstone, { kind: 'partial', contact: contact({ updatedAt: later, partial: true, presentFields: ['title'] }) }), { action: 'refetch' })
})

t.test('webhook bodies: newer replaces, older is dropped, an ambiguous one is refetched', async (t) => {
  t.match(decide(undefined, { kind: 'webhook', contact: contact() }), { action: 'write', outcome: 'created' })
  t.match(decide(row(), { kind: 'webhook', contact: contact({ updatedAt: later, lastName: 'Lima' }) }), { action: 'write', content: { lastName: 'Lima' } })
  t.match(decide(row(), { kind: 'webhook', contact: contact({ updatedAt: earlier, lastName: 'Old' }) }), { action: 'none', outcome: 'stale' })
  t.match(decide(row(), { kind: 'webhook', contact: contact() }), { action: 'none', outcome: 'unchanged' })
  t.match(decide(row(), { kind: 'webhook', contact: contact({ lastName: 'Same second' }) }), { action: 'refetch' })
})

t.test('Autotask partials patch only what they carry, ordered by time then sequence', async (t) => {
  const patch = (over: Partial<NormalizedContact>, seq: number) => contact({
    partial: true, updatedAt: null, presentFields: ['title'], sourceEvent: { seq, eventTime: later, receivedAt: later, action: 'update' }, ...over
  })
  t.match(decide(undefined, { kind: 'partial', contact: patch({ title: 'x' }, 11) }), { action: 'refetch' }, 'nothing to patch')
  const newer = decide(row(), { kind: 'partial', contact: patch({ title: 'CTO', firstName: 'ignored' }, 11) })
  t.match(newer, { action: 'write', content: { title: 'CTO', firstName: 'Dana' }, ordering: { sourceSeq: 11 } })
  const sameTimeLowerSeq = row({ psaUpdatedAt: null, eventTime: new Date(later), sourceSeq: 20 })
  t.match(decide(sameTimeLowerSeq, { kind: 'partial', contact: patch({ title: 'IT' }, 12) }), { action: 'none', outcome: 'stale' },
    'older by sequence and agreeing: dropped')
  t.match(decide(sameTimeLowerSeq, { kind: 'partial', contact: patch({ title: 'Other' }, 12) }), { action: 'refetch' },
    'older and disagreeing: the newer patch may not have carried this field, ask the PSA')
})

t.test('a late Autotask partial without lastModifiedDate does not undo a newer one (§3.4 stale drop)', async (t) => {
  // what the store does with a decision: a refetch or a drop leaves the row as it is
  const apply = (r: ContactRow, d: Decision): ContactRow =>
    d.action === 'write' ? { ...r, ...d.content, ...d.ordering } : d.action === 'touch' ? { ...r, ...d.ordering } : r
  const update = (firstName: string, seq: number, eventTime: string) => contact({
    partial: true, updatedAt: null, firstName, presentFields: ['firstName'], sourceEvent: { seq, eventTime, receivedAt: eventTime, action: 'update' }
  })
  const fromRefetch = row({ psaUpdatedAt: new Date('2025-06-02T10:00:00Z'), eventTime: null, sourceSeq: null })
  const a = update('New', 20, '2025-06-02T10:05:00.000Z')
  const b = update('Old', 19, '2025-06-02T10:03:00.000Z')
  const afterA = apply(fromRefetch, decide(fromRefetch, { kind: 'partial', contact: a }))
  t.equal(afterA.firstName, 'New', 'no delivery applied yet: EventTime against the refetch\'s timestamp')
  const late = decide(afterA, { kind: 'partial', contact: b })
  t.not(late.action, 'write', 'B is older than A')
  t.equal(apply(afterA, late).firstName, 'New')
  const inOrder = [b, a].reduce((r, c) => apply(r, decide(r, { kind: 'partial', contact: c })), fromRefetch)
  t.equal(inOrder.firstName, 'New', 'B then A')
  t.not(decide(afterA, { kind: 'partial', contact: update('Tie', 19, '2025-06-02T10:05:00.000Z') }).action, 'write',
    'same EventTime: the lower sequence is older')
  t.match(decide(afterA, { kind: 'partial', contact: update('Tie', 21, '2025-06-02T10:05:00.000Z') }),
    { action: 'write', content: { firstName: 'Tie' } }, 'same EventTime: the higher sequence is newer')
  const refetchedSince = row({ psaUpdatedAt: new Date('2025-06-02T11:00:00Z'), eventTime: new Date('2025-06-02T10:05:00Z'), sourceSeq: 20 })
  t.not(decide(refetchedSince, { kind: 'partial', contact: update('Between', 21, '2025-06-02T10:30:00.000Z') }).action, 'write',
    'a refetch newer than the last delivery still counts')
})

t.test('deletes become tombstones; reconciliation leaves contacts changed since the run started', async (t) => {
  t.match(decide(undefined, { kind: 'delete', externalId: '7' }), { action: 'tombstone' }, 'a delete for an unknown contact still leaves a tombstone')
  t.match(decide(row(), { kind: 'delete', externalId: '7', seq: 5 }), { action: 'tombstone', ordering: { sourceSeq: 10 } })
  t.match(decide(row({ deleted: true }), { kind: 'delete', externalId: '7' }), { action: 'none', outcome: 'already-deleted' })
  t.match(decide(row(), { kind: 'delete', externalId: '7', unlessChangedSince: new Date('2025-06-02T10:00:00Z') }), { action: 'none' })
  t.match(decide(row(), { kind: 'delete', externalId: '7', unlessChangedSince: new Date('2025-06-02T10:00:02Z') }), { action: 'tombstone' })
})
