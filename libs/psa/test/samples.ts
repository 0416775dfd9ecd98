/** Sample payloads of specs/psa-webhooks.md (§2.2, §3.2, §4.2). */
export const connectWiseSample = {
  MessageId: '6d1b6a0e-2f55-4c1c-9a7e-8f0b1c2d3e4f',
  FromUrl: 'api-na.myconnectwise.net',
  CompanyId: 'contoso_msp',
  MemberId: 'jsmith',
  Action: 'updated',
  Type: 'contact',
  ID: 4711,
  ProductInstanceId: '0f3c2b1a-aaaa-bbbb-cccc-111122223333',
  Entity: '{"id":4711,"firstName":"Dana","lastName":"Reyes","company":{"id":250,"identifier":"Contoso","name":"Contoso Ltd"},"inactiveFlag":false,"title":"IT Manager","defaultPhoneNbr":"5550101","communicationItems":[{"id":9,"type":{"id":1,"name":"Email"},"value":"dana.reyes@contoso.example","defaultFlag":true,"communicationType":"Email"}],"_info":{"lastUpdated":"2025-06-02T14:07:31Z"}}',
  Metadata: { key_url: 'https://api-na.myconnectwise.net/v4_6_release/system/callbackkey/index.rails?id=abc' },
  CallbackObjectRecId: 1
}

export const autotaskSample = {
  Action: 'Update',
  Guid: '3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c',
  EntityType: 'Contact',
  Id: 30684512,
  Fields: {
    id: 30684512,
    firstName: 'Dana',
    lastName: 'Reyes',
    emailAddress: 'dana.reyes@contoso.example',
    companyID: 29683511,
    isActive: 1,
    lastModifiedDate: '2025-06-02T14:07:31.527Z'
  },
  EventTime: '2025-06-02T14:07:32.103Z',
  SequenceNumber: 17,
  PersonID: 29682885
}

export const haloSample = { event: 'user updated', user: { id: 1042, client_id: 77, emailaddress: 'dana.reyes@contoso.example' } }

/** A HaloPSA User with the fields of §4.2. */
export const haloUserSample = {
  id: 1042,
  name: 'Dana Reyes',
  firstname: 'Dana',
  surname: 'Reyes',
  emailaddress: ' Dana.Reyes@Contoso.example ',
  email2: 'dana.reyes@contoso.example',
  email3: 'dreyes@contoso.example',
  client_id: 77,
  client_name: 'Contoso Ltd',
  site_id: 12,
  site_name: 'Main',
  title: 'IT Manager',
  phonenumber: '5550101',
  mobilenumber: '5550199',
  phonenumber_preferred: '',
  inactive: false,
  datecreated: '2024-01-10T09:00:00',
  ulastupdate: '2025-06-02T14:07:31.527'
}
