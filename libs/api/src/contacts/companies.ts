import { Type, type Static } from '@sinclair/typebox'

export const CompanyMapping = Type.Object({
  companyExternalId: Type.String({ minLength: 1, maxLength: 100, description: 'CW company id, Autotask companyID, Halo client_id' }),
  clientId: Type.String({ format: 'uuid' })
}, { additionalProperties: false })
export type CompanyMapping = Static<typeof CompanyMapping>

/** The whole mapping of a connection; companies not listed are unmapped (their contacts are kept, not published). */
export const CompanyMappingPut = Type.Object({
  companies: Type.Array(CompanyMapping, { maxItems: 5000 })
}, { additionalProperties: false })
export type CompanyMappingPut = Static<typeof CompanyMappingPut>

export const CompanyMappingResult = Type.Object({
  companies: Type.Array(CompanyMapping),
  /** contacts re-published because their company's client changed */
  republished: Type.Integer({ minimum: 0 })
})
export type CompanyMappingResult = Static<typeof CompanyMappingResult>

/** A PSA company seen in contacts or mapped, with its client (null: unmapped). */
export const PsaCompany = Type.Object({
  companyExternalId: Type.String(),
  companyName: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  contacts: Type.Integer({ minimum: 0 })
})
export type PsaCompany = Static<typeof PsaCompany>
