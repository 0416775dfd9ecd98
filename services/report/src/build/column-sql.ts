import { sql, type SQL } from 'drizzle-orm'
import type { ColumnKey } from '@m365/api'

const contactName = "nullif(btrim(concat_ws(' ', c.first_name, c.last_name)), '')"

/**
 * Each catalogue column as a SQL expression over one row of the merge: `u` the O365 user (null on a
 * contact-only row), `c` the contact (null when none matched) and `m` the match (address, kind).
 * Lists (licenses, MFA methods) are JSON arrays; everything else a scalar.
 */
const COLUMN_SQL: Record<ColumnKey, string> = {
  displayName: 'u.display_name',
  userPrincipalName: 'u.user_principal_name',
  email: 'coalesce(u.mail, c.primary_email)',
  matchedAddress: 'm.address',
  matchedBy: 'm.kind',
  objectType: 'u.object_type',
  userType: 'u.user_type',
  accountEnabled: 'u.account_enabled',
  deleted: 'u.deleted',
  licenses: `case when u.user_id is null then null else (select coalesce(jsonb_agg(l->>'productName' order by l->>'productName'), '[]'::jsonb)
    from jsonb_array_elements(u.licenses) l) end`,
  licenseCount: 'jsonb_array_length(u.licenses)',
  mfaStatus: 'u.mfa_status',
  mfaReason: "u.mfa->>'reason'",
  mfaRegistered: "u.mfa->'registered'",
  mfaMethods: "u.mfa->'methods'",
  perUserMfa: "u.mfa->>'perUserState'",
  securityDefaults: "u.mfa->>'securityDefaults'",
  conditionalAccess: "u.mfa->>'conditionalAccess'",
  mfaExplanation: "u.mfa->>'explanation'",
  contactName,
  contactEmail: 'c.primary_email',
  contactPhone: 'c.phone',
  contactTitle: 'c.title',
  contactCompany: 'c.company_name',
  contactActive: 'c.active',
  psa: 'c.psa',
  tenantId: 'u.tenant_id',
  userId: 'u.user_id',
  source: `case when u.user_id is not null and c.external_id is not null then 'o365+contact'
    when u.user_id is not null then 'o365' else 'contact' end`
}

export const CONTACT_NAME_SQL = contactName

/** jsonb of the given columns keyed by column key (keys come from the catalogue only, never from input). */
export function valuesSql (keys: readonly ColumnKey[]): SQL {
  if (keys.length === 0) return sql.raw("'{}'::jsonb")
  // jsonb_build_object takes at most 100 arguments: 50 columns per call, joined with ||
  const parts: string[] = []
  for (let i = 0; i < keys.length; i += 50) {
    const pairs = keys.slice(i, i + 50).map((key) => `'${key}', ${COLUMN_SQL[key]}`)
    parts.push(`jsonb_build_object(${pairs.join(', ')})`)
  }
  return sql.raw(parts.join(' || '))
}
