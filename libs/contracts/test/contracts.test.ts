import t from 'tap'
import { randomUUID } from 'node:crypto'
import {
  allEvents, createEvent, InvalidEventError, O365UsersUpserted, TenantConnected, TokenRequest,
  validateEvent, validateReply, validateRequest
} from '@m365/contracts'

const tenantId = randomUUID()
const clientId = randomUUID()

t.test('createEvent wraps valid data in a versioned envelope', async (t) => {
  const event = createEvent(TenantConnected, { clientId, tenantId, connectedAt: new Date().toISOString() })
  t.equal(event.subject, 'tenant.connected')
  t.equal(event.version, 1)
  t.match(event.id, /^[0-9a-f-]{36}$/)
  t.same(validateEvent(TenantConnected, JSON.parse(JSON.stringify(event))), event)
})

t.test('an invalid event fails with an error naming the field', async (t) => {
  const err = t.throws(() => createEvent(TenantConnected, { clientId, tenantId: 'not-a-guid', connectedAt: new Date().toISOString() }))
  t.type(err, InvalidEventError)
  t.equal((err as InvalidEventError).field, '/data/tenantId')
  t.match((err as Error).message, /tenant\.connected.*\/data\/tenantId/)
})

t.test('a nested field is named by its path', async (t) => {
  const raw = {
    id: 'x',
    subject: 'o365.users.upserted',
    version: 1,
    occurredAt: new Date().toISOString(),
    data: { syncId: randomUUID(), tenantId, clientId, batch: 1, users: [{ id: randomUUID() }] }
  }
  const err = t.throws(() => validateEvent(O365UsersUpserted, raw)) as InvalidEventError
  t.match(err.field, /^\/data\/users\/0\//)
})

t.test('a wrong version is rejected', async (t) => {
  const event = createEvent(TenantConnected, { clientId, tenantId, connectedAt: new Date().toISOString() })
  const err = t.throws(() => validateEvent(TenantConnected, { ...event, version: 2 })) as InvalidEventError
  t.equal(err.field, '/version')
})

t.test('requests and replies are validated too', async (t) => {
  t.same(validateRequest(TokenRequest, { tenantId }), { tenantId })
  t.throws(() => validateRequest(TokenRequest, { tenantId: 42 }), /\/tenantId/)
  t.throws(() => validateReply(TokenRequest, { ok: true }), InvalidEventError)
})

t.test('every subject is unique and dotted', async (t) => {
  const subjects = allEvents.map((e) => e.subject)
  t.equal(new Set(subjects).size, subjects.length)
  for (const s of subjects) t.match(s, /^[a-z0-9_]+(\.[a-z0-9_]+)+$/)
})
