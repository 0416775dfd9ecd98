import { Type, type Static } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const NullableString = Type.Union([Type.String(), Type.Null()])

export const DiffQuery = Type.Object({
  against: Type.String({ format: 'uuid', description: 'the earlier version (same report) to compare with' })
})

const DiffUser = Type.Object({
  /** o365:<tenantId>:<userId> or contact:<psa>:<connectionId>:<externalId> */
  rowKey: Type.String(),
  displayName: NullableString,
  email: NullableString
})

const LicenseRef = Type.Object({ skuId: Uuid, skuPartNumber: Type.String(), productName: Type.String() })

const DiffList = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({
  total: Type.Integer({ minimum: 0 }),
  /** at most 1000; `total` says how many there are */
  items: Type.Array(item)
})

export const VersionDiff = Type.Object({
  versionId: Uuid,
  againstVersionId: Uuid,
  number: Type.Integer(),
  againstNumber: Type.Integer(),
  /** rows in this version, not in `against` */
  usersAdded: DiffList(DiffUser),
  /** rows in `against`, gone in this version */
  usersRemoved: DiffList(DiffUser),
  licenseChanges: DiffList(Type.Composite([DiffUser, Type.Object({ added: Type.Array(LicenseRef), removed: Type.Array(LicenseRef) })])),
  mfaStatusChanges: DiffList(Type.Composite([DiffUser, Type.Object({ from: NullableString, to: NullableString })]))
})
export type VersionDiff = Static<typeof VersionDiff>
