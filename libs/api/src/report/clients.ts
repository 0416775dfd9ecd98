import { Type, type Static } from '@sinclair/typebox'

const Name = Type.String({ minLength: 1, maxLength: 200 })

export const ClientTenant = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  displayName: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('connected'), Type.Literal('disconnected')]),
  changedAt: Type.String({ format: 'date-time' })
})

/** A PSA company whose contacts contacts-ingest maps to this client. */
export const ClientPsaCompany = Type.Object({
  psa: Type.String(),
  connectionId: Type.String({ format: 'uuid' }),
  companyExternalId: Type.Union([Type.String(), Type.Null()]),
  companyName: Type.Union([Type.String(), Type.Null()]),
  contacts: Type.Integer({ minimum: 0 })
})

export const Client = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  tenants: Type.Array(ClientTenant),
  psaCompanies: Type.Array(ClientPsaCompany),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})
export type Client = Static<typeof Client>

export const ClientCreate = Type.Object({ name: Name })
export type ClientCreate = Static<typeof ClientCreate>

export const ClientPatch = Type.Object({ name: Type.Optional(Name) })
export type ClientPatch = Static<typeof ClientPatch>
