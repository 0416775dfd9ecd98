import { COLUMN_CATALOGUE, COLUMN_KEYS, isColumnKey, type ColumnKey, type MergeMode, type TemplateColumn, type TemplateColumnInput } from '@m365/api'
import { unprocessable } from '@m365/service-kit'

/** How a template (and a version's frozen copy) stores its columns: the array order is the position. */
export interface StoredColumn { key: ColumnKey, label: string, visible: boolean }

/**
 * Unknown or repeated keys are 422 naming the key, and so is a list that shows nothing (its versions would
 * have no column: a CSV of empty lines); a missing label is the catalogue's.
 */
export function normaliseColumns (input: TemplateColumnInput[]): StoredColumn[] {
  const seen = new Set<string>()
  if (input.length > 0 && input.every((column) => column.visible === false)) {
    throw unprocessable('REPORT_NO_VISIBLE_COLUMN', 'body/office365/columns: at least one column must be visible')
  }
  return input.map((column, i) => {
    if (!isColumnKey(column.key)) {
      throw unprocessable('REPORT_UNKNOWN_COLUMN', `body/office365/columns/${i}/key: column ${column.key} is not known`)
    }
    if (seen.has(column.key)) {
      throw unprocessable('REPORT_DUPLICATE_COLUMN', `body/office365/columns/${i}/key: column ${column.key} is listed twice`)
    }
    seen.add(column.key)
    return { key: column.key, label: column.label ?? COLUMN_CATALOGUE[column.key].label, visible: column.visible ?? true }
  })
}

export const toApiColumns = (columns: StoredColumn[]): TemplateColumn[] =>
  columns.map((column, i) => ({ key: column.key, label: column.label, visible: column.visible, position: i + 1 }))

export const DEFAULT_TEMPLATE_ID = '00000000-0000-4000-8000-000000000001'

const DEFAULT_VISIBLE: ColumnKey[] = [
  'displayName', 'email', 'userPrincipalName', 'userType', 'accountEnabled', 'licenses', 'mfaStatus', 'mfaExplanation',
  'contactName', 'contactPhone', 'matchedBy'
]

/** Users with their licences and MFA, contact details added; the other catalogue columns listed hidden. */
export const DEFAULT_TEMPLATE: { name: string, mergeMode: MergeMode, columns: StoredColumn[] } = {
  name: 'Office 365 users and contacts',
  mergeMode: 'o365+contacts',
  columns: [
    ...DEFAULT_VISIBLE.map((key) => ({ key, label: COLUMN_CATALOGUE[key].label, visible: true })),
    ...COLUMN_KEYS.filter((key) => !DEFAULT_VISIBLE.includes(key)).map((key) => ({ key, label: COLUMN_CATALOGUE[key].label, visible: false }))
  ]
}
