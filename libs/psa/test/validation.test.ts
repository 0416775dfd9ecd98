import t from 'tap'
import {
  parseAutotaskContact, parseAutotaskWebhook, parseConnectWiseContact, parseConnectWiseWebhook, parseHaloUser, parseHaloWebhook,
  PsaPayloadError
} from '@m365/psa'
import { autotaskSample, connectWiseSample } from './samples.js'

function errorOf (fn: () => unknown): PsaPayloadError {
  try {
    fn()
  } catch (err) {
    if (err instanceof PsaPayloadError) return err
    throw err
  }
  throw new Error('expected a PsaPayloadError')
}

const entity = (value: unknown) => ({ ...connectWiseSample, Entity: JSON.stringify(value) })

t.test('ConnectWise errors name the field', async (t) => {
  const cases: Array<[unknown, string]> = [
    [entity({ id: 'x' }), 'Entity.id must be integer'],
    [entity({ firstName: 'x' }), 'Entity.id is required'],
    [entity({ id: 4711, company: { id: '250' } }), 'Entity.company.id must be integer'],
    [entity({ id: 4711, communicationItems: [{ value: 'a@b.c' }, { value: 7 }] }), 'Entity.communicationItems[1].value must be string or null'],
    [entity({ id: 4711, inactiveFlag: 'no' }), 'Entity.inactiveFlag must be boolean or null'],
    [entity({ id: 4711, _info: { lastUpdated: 'last tuesday' } }), 'Entity._info.lastUpdated must be an ISO-8601 date-time'],
    [entity({ id: 4712 }), 'Entity.id must equal ID'],
    [{ ...connectWiseSample, Entity: '{"id":' }, 'Entity is not valid JSON'],
    [{ ...connectWiseSample, ID: '4711' }, 'ID must be integer'],
    [{ ...connectWiseSample, Action: 'moved' }, 'Action must be one of "added", "updated", "deleted"'],
    [{ ...connectWiseSample, Type: 'ticket' }, 'Type must be "contact"'],
    [{ ...connectWiseSample, Action: undefined }, 'Action is required'],
    [JSON.parse(JSON.stringify({ ...connectWiseSample, ID: undefined })), 'ID is required'],
    [{ ...connectWiseSample, Metadata: { key_url: 5 } }, 'Metadata.key_url must be string or null'],
    [[], '(body) must be object']
  ]
  for (const [payload, message] of cases) {
    const err = errorOf(() => parseConnectWiseWebhook(payload))
    t.equal(err.message, message)
    t.equal(err.psa, 'connectwise')
  }
  t.equal(errorOf(() => parseConnectWiseWebhook(Buffer.from('{nope'))).message, '(body) is not valid JSON')
  t.equal(errorOf(() => parseConnectWiseContact({ id: 1.5 }, '[3]')).field, '[3].id')
})

t.test('Autotask errors name the field', async (t) => {
  const cases: Array<[unknown, string, string]> = [
    [{ ...autotaskSample, Id: 'x' }, 'Id', 'must be integer'],
    [{ ...autotaskSample, Fields: { firstName: 5 } }, 'Fields.firstName', 'must be string or null'],
    [{ ...autotaskSample, Fields: { companyID: 'Contoso' } }, 'Fields.companyID', 'must be integer or null'],
    [{ ...autotaskSample, Fields: { id: 1 } }, 'Fields.id', 'must equal Id'],
    [{ ...autotaskSample, EventTime: 'now' }, 'EventTime', 'must be an ISO-8601 date-time'],
    [{ ...autotaskSample, Action: 'Moved' }, 'Action', 'must be one of "Create", "Update", "Delete", "Deactivated"'],
    [{ ...autotaskSample, EntityType: 'Ticket' }, 'EntityType', 'must be Contact'],
    [{ ...autotaskSample, Guid: undefined }, 'Guid', 'is required']
  ]
  for (const [payload, field, reason] of cases) {
    const err = errorOf(() => parseAutotaskWebhook(payload))
    t.same({ field: err.field, reason: err.reason }, { field, reason })
  }
  t.equal(errorOf(() => parseAutotaskContact({ id: 1, isActive: 'yes' }, 'items[4]')).field, 'items[4].isActive')
})

t.test('Autotask casing is forgiven where the sources disagree', async (t) => {
  const event = parseAutotaskWebhook({
    action: 'update', guid: 'g', entitytype: 'Contacts', ID: 3, PersonId: 9, fields: { EmailAddress: 'A@b.example', ISACTIVE: 1 }
  })
  t.same(event, { Action: 'Update', Guid: 'g', EntityType: 'Contacts', Id: 3, PersonID: 9, Fields: { emailAddress: 'A@b.example', isActive: 1 } })
})

t.test('HaloPSA errors name the field', async (t) => {
  t.equal(errorOf(() => parseHaloWebhook({ event: 'user updated' })).message, 'user.id is required')
  t.equal(errorOf(() => parseHaloWebhook({ event: 'x', user: { id: 'abc' } })).message, 'user.id must be integer or null')
  t.equal(errorOf(() => parseHaloUser({ id: 1, inactive: 'no' }, 'users[0]')).message, 'users[0].inactive must be boolean or null')
  t.equal(errorOf(() => parseHaloUser({ id: 1, client_id: '77' })).message, 'client_id must be integer or null')
})
