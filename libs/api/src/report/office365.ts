import { Type, type Static } from '@sinclair/typebox'
import { PageQuery } from '../common.js'
import { LicenseSummaryItem } from './reports.js'

const Uuid = Type.String({ format: 'uuid' })
const NullableString = Type.Union([Type.String(), Type.Null()])

export const MfaStatusValue = Type.Union([
  Type.Literal('Enabled'), Type.Literal('Disabled'), Type.Literal('N/A'), Type.Literal('Unknown')
])

export const O365UsersQuery = Type.Composite([PageQuery, Type.Object({
  mfaStatus: Type.Optional(MfaStatusValue),
  userType: Type.Optional(Type.Union([Type.Literal('Member'), Type.Literal('Guest')])),
  objectType: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('orgContact')])),
  accountEnabled: Type.Optional(Type.Boolean()),
  deleted: Type.Optional(Type.Boolean()),
  license: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'skuId or skuPartNumber (case-insensitive) the user holds; "none" for unlicensed' })),
  licence: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'same as license' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'part of the display name, mail, UPN or any other address' }))
})], { description: 'Who has not finished MFA setup: mfaStatus=Disabled&objectType=user&accountEnabled=true&deleted=false' })
export type O365UsersQuery = Static<typeof O365UsersQuery>

export const O365UserLicense = Type.Object({ skuId: Uuid, skuPartNumber: Type.String(), productName: Type.String() })

export const O365UserItem = Type.Object({
  tenantId: Uuid,
  id: Uuid,
  objectType: Type.Union([Type.Literal('user'), Type.Literal('orgContact')]),
  displayName: NullableString,
  userPrincipalName: NullableString,
  mail: NullableString,
  otherMails: Type.Array(Type.String()),
  proxyAddresses: Type.Array(Type.String()),
  userType: NullableString,
  accountEnabled: Type.Union([Type.Boolean(), Type.Null()]),
  deleted: Type.Boolean(),
  deletedAt: NullableString,
  licenses: Type.Array(O365UserLicense),
  mfa: Type.Object({
    status: MfaStatusValue,
    reason: NullableString,
    registered: Type.Union([Type.Boolean(), Type.Null()]),
    methods: Type.Array(Type.String()),
    perUserState: Type.String(),
    securityDefaults: Type.String(),
    conditionalAccess: Type.String(),
    explanation: NullableString
  }),
  /** the sync that last wrote this user */
  syncId: Uuid,
  syncedAt: Type.String({ format: 'date-time' })
})
export type O365UserItem = Static<typeof O365UserItem>

/** GET /v1/clients/{clientId}/office365/licenses: one per SKU over the client's tenants. */
export const O365LicenseItem = LicenseSummaryItem
export type O365LicenseItem = LicenseSummaryItem
