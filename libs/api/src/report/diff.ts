import { Type, type Static } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const NullableString = Type.Union([Type.String(), Type.Null()])

export const DiffQuery = Type.Object({
  against: Type.String({ format: 'uuid', description: 'the earlier version (same report) to compare with' })
})

/** Visible columns only, as rows and CSV show them: a column counts when both versions show it. */
const DiffUser = Type.Object({
  rowKey: Type.String({
    description: '`o365:<tenantId>:<userId>` when both versions show the tenant id and user id columns; otherwise (and for ' +
      'every contact row) an opaque hash, the same for a row in every diff of the report'
  }),
  displayName: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: 'the display name cell, else the contact name cell; left out when neither column is visible'
  })),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: 'the email cell, else the user principal name cell; left out when neither column is visible'
  }))
})

const LicenseRef = Type.Object({ skuId: Uuid, skuPartNumber: Type.String(), productName: Type.String() })

const DiffList = <T extends Parameters<typeof Type.Array>[0]>(item: T, description?: string) => Type.Object({
  total: Type.Integer({ minimum: 0 }),
  /** at most 1000; `total` says how many there are */
  items: Type.Array(item)
}, { description })

export const VersionDiff = Type.Object({
  versionId: Uuid,
  againstVersionId: Uuid,
  number: Type.Integer(),
  againstNumber: Type.Integer(),
  /** rows in this version, not in `against` */
  usersAdded: DiffList(DiffUser),
  /** rows in `against`, gone in this version */
  usersRemoved: DiffList(DiffUser),
  licenseChanges: Type.Optional(DiffList(Type.Composite([DiffUser, Type.Object({ added: Type.Array(LicenseRef), removed: Type.Array(LicenseRef) })]),
    'left out unless both versions show the licenses column')),
  mfaStatusChanges: Type.Optional(DiffList(Type.Composite([DiffUser, Type.Object({ from: NullableString, to: NullableString })]),
    'left out unless both versions show the MFA status column'))
})
export type VersionDiff = Static<typeof VersionDiff>
