import t from 'tap'
import {
  autotaskNeedsRefetch, connectWiseNeedsRefetch, haloNeedsRefetch, normaliseAutotaskContact, normaliseAutotaskWebhook,
  normaliseConnectWiseContact, normaliseConnectWiseWebhook, normaliseEmails, normaliseHaloUser, normaliseHaloWebhook,
  parseAutotaskContact, parseAutotaskWebhook, parseConnectWiseContact, parseConnectWiseWebhook, parseHaloUser,
  parseHaloWebhook, toIsoUtc
} from '@m365/psa'
import { autotaskSample, connectWiseSample, haloSample, haloUserSample } from './samples.js'

const receivedAt = '2025-06-02T14:07:33.000Z'
const json = (value: unknown) => Buffer.from(JSON.stringify(value))

t.test('ConnectWise §2.2 sample', async (t) => {
  const event = parseConnectWiseWebhook(json(connectWiseSample))
  t.same(normaliseConnectWiseWebhook(event, { tenantKey: 'contoso_msp@na', receivedAt }), {
    psa: 'connectwise',
    tenantKey: 'contoso_msp@na',
    externalId: '4711',
    companyExternalId: '250',
    companyName: 'Contoso Ltd',
    firstName: 'Dana',
    lastName: 'Reyes',
    emails: [{ address: 'dana.reyes@contoso.example', primary: true, sourceField: 'communicationItems[0]' }],
    phone: '5550101',
    title: 'IT Manager',
    active: true,
    updatedAt: '2025-06-02T14:07:31.000Z',
    deleted: false,
    partial: false,
    sourceEvent: { id: '6d1b6a0e-2f55-4c1c-9a7e-8f0b1c2d3e4f', receivedAt, action: 'update' }
  })
  t.same(connectWiseNeedsRefetch(event), { refetch: false, reason: 'Entity is a full contact' })
})

t.test('ConnectWise: Entity as an object, several emails, phone from communication items', async (t) => {
  const entity = {
    id: 5,
    firstName: ' Ann ',
    lastName: null,
    inactiveFlag: true,
    communicationItems: [
      { value: '5550100', communicationType: 'Phone', defaultFlag: false },
      { value: '5550111', communicationType: 'Phone', defaultFlag: true },
      { value: 'Ann@Example.com', communicationType: 'Email', defaultFlag: false },
      { value: 'ann.b@example.com ', communicationType: 'Email', defaultFlag: true },
      { value: 'ann@example.com', type: { name: 'Email' }, defaultFlag: false }
    ]
  }
  const contact = normaliseConnectWiseWebhook(parseConnectWiseWebhook({ ...connectWiseSample, ID: 5, Action: 'added', Entity: entity }), { receivedAt })
  t.match(contact, {
    externalId: '5',
    firstName: 'Ann',
    lastName: null,
    active: false,
    phone: '5550111',
    companyExternalId: null,
    updatedAt: null,
    emails: [
      { address: 'ann.b@example.com', primary: true, sourceField: 'communicationItems[3]' },
      { address: 'ann@example.com', primary: false, sourceField: 'communicationItems[2]' }
    ],
    sourceEvent: { action: 'create' }
  })
  t.same(contact?.emails.length, 2)
})

t.test('ConnectWise: refetch when there is no email or nothing at all', async (t) => {
  const noEmail = parseConnectWiseWebhook({ ...connectWiseSample, Entity: JSON.stringify({ id: 4711, firstName: 'Dana', _info: { lastUpdated: '2025-06-02T14:07:31Z' } }) })
  t.same(normaliseConnectWiseWebhook(noEmail, { receivedAt })?.emails, [])
  t.same(connectWiseNeedsRefetch(noEmail), { refetch: true, reason: 'Entity carries no email communication item' })

  const noEntity = parseConnectWiseWebhook({ ...connectWiseSample, Entity: undefined })
  t.equal(normaliseConnectWiseWebhook(noEntity), null)
  t.match(connectWiseNeedsRefetch(noEntity), { refetch: true })

  const deleteWithNothing = parseConnectWiseWebhook({ ...connectWiseSample, Action: 'deleted', Entity: null })
  t.match(normaliseConnectWiseWebhook(deleteWithNothing, { receivedAt }), {
    externalId: '4711', deleted: true, emails: [], sourceEvent: { action: 'delete' }
  })
  t.same(connectWiseNeedsRefetch(deleteWithNothing), { refetch: false, reason: 'delete: tombstone by ID' }, 'no REST access needed (§2.4)')

  const deleteWithEntity = parseConnectWiseWebhook({ ...connectWiseSample, Action: 'deleted' })
  t.match(normaliseConnectWiseWebhook(deleteWithEntity), { deleted: true, firstName: 'Dana' })
  t.same(connectWiseNeedsRefetch(deleteWithEntity).refetch, false)

  const emptyString = parseConnectWiseWebhook({ ...connectWiseSample, Action: 'deleted', Entity: '' })
  t.equal(emptyString.contact, null)
})

t.test('ConnectWise REST contact', async (t) => {
  const contact = normaliseConnectWiseContact(parseConnectWiseContact(JSON.parse(connectWiseSample.Entity)))
  t.match(contact, { externalId: '4711', partial: false, deleted: false, tenantKey: '' })
  t.notOk('sourceEvent' in contact)
})

t.test('Autotask §3.2 sample: a partial contact', async (t) => {
  const event = parseAutotaskWebhook(json(autotaskSample))
  t.same(normaliseAutotaskWebhook(event, { tenantKey: 'ws5:api-user', receivedAt }), {
    psa: 'autotask',
    tenantKey: 'ws5:api-user',
    externalId: '30684512',
    companyExternalId: '29683511',
    companyName: null,
    firstName: 'Dana',
    lastName: 'Reyes',
    emails: [{ address: 'dana.reyes@contoso.example', primary: true, sourceField: 'emailAddress' }],
    phone: null,
    title: null,
    active: true,
    updatedAt: '2025-06-02T14:07:31.527Z',
    deleted: false,
    partial: true,
    presentFields: ['firstName', 'lastName', 'companyExternalId', 'active', 'updatedAt'],
    sourceEvent: {
      id: '3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c:30684512:17',
      seq: 17,
      eventTime: '2025-06-02T14:07:32.103Z',
      receivedAt,
      action: 'update'
    }
  })
  t.same(autotaskNeedsRefetch(event), { refetch: true, reason: 'only some email fields sent: the email list is incomplete' })
})

t.test('Autotask: all email fields, phone fallback, isActive as boolean or 0', async (t) => {
  const Fields = {
    emailAddress: null,
    emailAddress2: 'B@Example.com',
    emailAddress3: 'b@example.com',
    phone: null,
    mobilePhone: '555',
    isActive: 0,
    lastModifiedDate: '2025-06-02T14:07:31.527Z'
  }
  const event = parseAutotaskWebhook({ ...autotaskSample, Fields })
  const contact = normaliseAutotaskWebhook(event, { receivedAt })
  t.match(contact, {
    emails: [{ address: 'b@example.com', primary: true, sourceField: 'emailAddress2' }],
    phone: '555',
    active: false,
    presentFields: ['emails', 'phone', 'active', 'updatedAt']
  })
  t.equal(contact?.emails.length, 1)
  t.same(autotaskNeedsRefetch(event), { refetch: false, reason: 'partial update: patch the present fields' })
  t.equal(normaliseAutotaskWebhook(parseAutotaskWebhook({ ...autotaskSample, Fields: { isActive: true } }))?.active, true)
})

t.test('Autotask: delete, create and deactivated', async (t) => {
  const del = parseAutotaskWebhook({ ...autotaskSample, Action: 'Delete', Fields: {} })
  t.match(normaliseAutotaskWebhook(del, { receivedAt }), { externalId: '30684512', deleted: true, partial: true, presentFields: [], sourceEvent: { action: 'delete' } })
  t.same(autotaskNeedsRefetch(del).refetch, false)
  const create = parseAutotaskWebhook({ ...autotaskSample, Action: 'Create' })
  t.match(normaliseAutotaskWebhook(create), { deleted: false, sourceEvent: { action: 'create' } })
  t.same(autotaskNeedsRefetch(create).refetch, true)
  const deactivated = parseAutotaskWebhook({ Action: 'Deactivated', Guid: 'g', EntityType: 'Contact', Id: 0 })
  t.equal(normaliseAutotaskWebhook(deactivated), null)
  t.same(autotaskNeedsRefetch(deactivated).refetch, false)
  const untimed = parseAutotaskWebhook({ Action: 'Update', Guid: 'g', EntityType: 'Contact', Id: 1, Fields: { firstName: 'X' } })
  t.same(autotaskNeedsRefetch(untimed), { refetch: true, reason: 'no lastModifiedDate or EventTime to order by' })
})

t.test('Autotask REST contact: full, not partial', async (t) => {
  const contact = normaliseAutotaskContact(parseAutotaskContact({
    id: 7,
    firstName: 'Lee',
    lastName: 'Chan',
    title: 'CFO',
    emailAddress: 'lee@x.example',
    emailAddress2: 'LEE@X.example',
    emailAddress3: 'chan@x.example',
    phone: '1',
    mobilePhone: '2',
    companyID: 3,
    isActive: 1,
    lastModifiedDate: '2025-01-01T00:00:00Z'
  }))
  t.same(contact, {
    psa: 'autotask',
    tenantKey: '',
    externalId: '7',
    companyExternalId: '3',
    companyName: null,
    firstName: 'Lee',
    lastName: 'Chan',
    emails: [
      { address: 'lee@x.example', primary: true, sourceField: 'emailAddress' },
      { address: 'chan@x.example', primary: false, sourceField: 'emailAddress3' }
    ],
    phone: '1',
    title: 'CFO',
    active: true,
    updatedAt: '2025-01-01T00:00:00.000Z',
    deleted: false,
    partial: false
  })
})

t.test('HaloPSA §4.2 sample: a hint to refetch', async (t) => {
  const event = parseHaloWebhook(json(haloSample))
  t.same({ event: event.event, userId: event.userId, action: event.action }, { event: 'user updated', userId: 1042, action: 'update' })
  t.equal(normaliseHaloWebhook(event), null)
  t.same(haloNeedsRefetch(event).refetch, true)
  t.equal(parseHaloWebhook({ event: 'New User Created', users_id: 5 }).action, 'create')
  t.equal(parseHaloWebhook({ event: 'x', id: 6 }).userId, 6)
  const deleted = parseHaloWebhook({ event: 'User Deleted', user: { id: 1042 } })
  t.match(normaliseHaloWebhook(deleted, { receivedAt }), { externalId: '1042', deleted: true, sourceEvent: { action: 'delete', receivedAt } })
  t.same(haloNeedsRefetch(deleted).refetch, true)
})

t.test('HaloPSA user', async (t) => {
  t.same(normaliseHaloUser(parseHaloUser(haloUserSample), { tenantKey: 'acme.halopsa.com' }), {
    psa: 'halopsa',
    tenantKey: 'acme.halopsa.com',
    externalId: '1042',
    companyExternalId: '77',
    companyName: 'Contoso Ltd',
    firstName: 'Dana',
    lastName: 'Reyes',
    emails: [
      { address: 'dana.reyes@contoso.example', primary: true, sourceField: 'emailaddress' },
      { address: 'dreyes@contoso.example', primary: false, sourceField: 'email3' }
    ],
    phone: '5550101',
    title: 'IT Manager',
    active: true,
    updatedAt: '2025-06-02T14:07:31.527Z',
    deleted: false,
    partial: false
  })
  t.match(normaliseHaloUser(parseHaloUser({ id: 1, name: 'Mary Ann Smith', inactive: true, phonenumber_preferred: '9' })), {
    firstName: 'Mary Ann', lastName: 'Smith', active: false, phone: '9', emails: []
  })
})

t.test('emails: trimmed, lower-cased, de-duplicated, exactly one primary, primary first', async (t) => {
  t.same(normaliseEmails([
    { address: 'a@x.io', primary: false, sourceField: 'f1' },
    { address: ' B@X.io', primary: true, sourceField: 'f2' },
    { address: 'A@X.IO', primary: true, sourceField: 'f3' },
    { address: 'not-an-email', primary: false, sourceField: 'f4' },
    { address: '', primary: true, sourceField: 'f5' },
    { address: 42, primary: true, sourceField: 'f6' }
  ]), [
    { address: 'a@x.io', primary: true, sourceField: 'f3' },
    { address: 'b@x.io', primary: false, sourceField: 'f2' }
  ])
  t.same(normaliseEmails([{ address: 'a@x.io', primary: false, sourceField: 'f' }, { address: 'b@x.io', primary: false, sourceField: 'g' }])
    .map((e) => e.primary), [true, false], 'no flagged primary: the first one is')
  t.same(normaliseEmails([]), [])
})

t.test('timestamps become ISO-8601 UTC', async (t) => {
  t.equal(toIsoUtc('2025-06-02T14:07:31Z'), '2025-06-02T14:07:31.000Z')
  t.equal(toIsoUtc('2025-06-02T16:07:31+02:00'), '2025-06-02T14:07:31.000Z')
  t.equal(toIsoUtc('2025-06-02T14:07:31.5'), '2025-06-02T14:07:31.500Z', 'no offset: UTC')
  t.equal(toIsoUtc('garbage'), null)
  t.equal(toIsoUtc(null), null)
})

t.test('text and emails lose U+0000 (Postgres stores none), whichever PSA sent them', async (t) => {
  t.match(normaliseHaloUser(parseHaloUser({ ...haloUserSample, firstname: 'Da\u0000na', emailaddress: 'dana\u0000@contoso.example', title: '\u0000' })), {
    firstName: 'Dana', lastName: 'Reyes', title: null, emails: [{ address: 'dana@contoso.example' }]
  })
  t.match(normaliseAutotaskContact(parseAutotaskContact({ id: 7, firstName: 'A\u0000', lastName: 'B', emailAddress: 'a\u0000@b.example', isActive: 1 })), {
    firstName: 'A', emails: [{ address: 'a@b.example' }]
  })
  t.match(normaliseEmails([{ address: '\u0000', primary: true, sourceField: 'x' }]), [], 'nothing left: no address')
})
