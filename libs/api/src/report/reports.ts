import { Type, type Static } from '@sinclair/typebox'
import { MergeMode } from './columns.js'
import { TemplateColumn } from './templates.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const VersionStatus = Type.Union([Type.Literal('building'), Type.Literal('ready'), Type.Literal('failed')])
export type VersionStatus = Static<typeof VersionStatus>

/** A version as listed: no rows, no summaries. */
export const ReportVersionSummary = Type.Object({
  id: Uuid,
  reportId: Uuid,
  clientId: Uuid,
  /** 1, 2, 3 … per report, in creation order, without gaps */
  number: Type.Integer({ minimum: 1 }),
  /** building: rows not there yet (poll this version); ready: immutable from now on */
  status: VersionStatus,
  rowCount: Nullable(Type.Integer({ minimum: 0 })),
  /** visible to the client's portal users */
  shared: Type.Boolean(),
  sharedAt: Nullable(DateTime),
  createdAt: DateTime,
  builtAt: Nullable(DateTime)
})
export type ReportVersionSummary = Static<typeof ReportVersionSummary>

export const Report = Type.Object({
  id: Uuid,
  clientId: Uuid,
  name: Type.String(),
  templateId: Uuid,
  createdAt: DateTime,
  /** newest version (for a client principal: newest shared one) */
  latestVersion: Nullable(ReportVersionSummary)
})
export type Report = Static<typeof Report>

export const ReportCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  templateId: Type.Optional(Type.String({ format: 'uuid', description: 'default: the default template' }))
})
export type ReportCreate = Static<typeof ReportCreate>

export const LicenseSummaryItem = Type.Object({
  skuId: Uuid,
  skuPartNumber: Type.String(),
  productName: Type.String(),
  /** prepaid (enabled) units, over the client's tenants */
  total: Type.Integer(),
  /** consumed units */
  assigned: Type.Integer(),
  /** total - assigned; negative when more are assigned than bought */
  available: Type.Integer(),
  /** held by accounts that are disabled (not deleted) */
  assignedToDisabled: Type.Integer({ minimum: 0 }),
  /** held by deleted accounts */
  assignedToDeleted: Type.Integer({ minimum: 0 })
})
export type LicenseSummaryItem = Static<typeof LicenseSummaryItem>

export const MfaSummary = Type.Object({
  enabled: Type.Integer({ minimum: 0 }),
  disabled: Type.Integer({ minimum: 0 }),
  notApplicable: Type.Integer({ minimum: 0 }),
  unknown: Type.Integer({ minimum: 0 }),
  total: Type.Integer({ minimum: 0 }),
  /** user accounts of type Member, enabled, not deleted */
  enabledMemberAccounts: Type.Integer({ minimum: 0 }),
  enabledMembersWithMfa: Type.Integer({ minimum: 0 }),
  /** 0–100 with one decimal; null when there are no enabled member accounts */
  enabledMembersWithMfaPercent: Nullable(Type.Number())
})
export type MfaSummary = Static<typeof MfaSummary>

export const MergeStats = Type.Object({
  mode: MergeMode,
  rows: Type.Integer({ minimum: 0 }),
  /** rows joining a user and a contact */
  matched: Type.Integer({ minimum: 0 }),
  matchedBy: Type.Object({
    mail: Type.Integer({ minimum: 0 }),
    upn: Type.Integer({ minimum: 0 }),
    proxyAddress: Type.Integer({ minimum: 0 }),
    otherMail: Type.Integer({ minimum: 0 })
  }),
  /** the client's contacts (not deleted) */
  contacts: Type.Integer({ minimum: 0 }),
  /** contacts whose addresses match no licensed, not deleted user */
  contactsWithoutLicense: Type.Integer({ minimum: 0 }),
  /** users (not deleted) holding at least one license */
  licensedUsers: Type.Integer({ minimum: 0 }),
  /** licensed users no contact's address matches */
  licensedUsersWithoutContact: Type.Integer({ minimum: 0 })
}, { description: 'Counts over all the client\'s users and contacts whatever the mode, except rows/matched/matchedBy which count this version\'s rows.' })
export type MergeStats = Static<typeof MergeStats>

export const VersionSource = Type.Object({
  tenants: Type.Array(Type.Object({
    tenantId: Uuid,
    syncId: Nullable(Uuid),
    mode: Nullable(Type.String()),
    completedAt: Nullable(DateTime)
  })),
  contacts: Type.Object({
    count: Type.Integer({ minimum: 0 }),
    /** highest contact revision held for the client */
    maxRevision: Nullable(Type.Integer()),
    /** when the newest contact change held for the client was received */
    lastChangeAt: Nullable(DateTime)
  })
}, { description: 'the data the version was built from' })
export type VersionSource = Static<typeof VersionSource>

export const ReportVersion = Type.Composite([ReportVersionSummary, Type.Object({
  template: Type.Object({ id: Uuid, name: Type.String(), revision: Type.Integer(), mergeMode: MergeMode }),
  /** the template's columns as they were when the version was created */
  columns: Type.Array(TemplateColumn),
  licenseSummary: Nullable(Type.Array(LicenseSummaryItem)),
  mfaSummary: Nullable(MfaSummary),
  mergeStats: Nullable(MergeStats),
  source: Nullable(VersionSource),
  error: Nullable(Type.String())
})])
export type ReportVersion = Static<typeof ReportVersion>

/** A cell: text, number, boolean, a list of texts (licenses, MFA methods) or empty. */
export const CellValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String()), Type.Null()])
export type CellValue = Static<typeof CellValue>

export const VersionRow = Type.Object({
  rowNumber: Type.Integer({ minimum: 1 }),
  /** visible columns only, keyed by column key, in column order */
  values: Type.Record(Type.String(), CellValue)
})
export type VersionRow = Static<typeof VersionRow>

export const VersionRowsPage = Type.Object({
  columns: Type.Array(Type.Object({ key: Type.String(), label: Type.String() })),
  items: Type.Array(VersionRow),
  nextCursor: Nullable(Type.String())
})
export type VersionRowsPage = Static<typeof VersionRowsPage>
