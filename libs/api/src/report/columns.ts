import { Type, type Static } from '@sinclair/typebox'

/**
 * The fixed catalogue of Office 365 Part columns. A template lists any of these keys in any order,
 * each shown or hidden and with its own label; a key outside this catalogue is refused (422 naming it).
 * "user" is the Microsoft 365 account (or org contact) of the row, "contact" the PSA contact merged into it.
 */
export const COLUMN_CATALOGUE = {
  displayName: { label: 'Display name', description: 'user: displayName' },
  userPrincipalName: { label: 'User principal name', description: 'user: userPrincipalName' },
  email: { label: 'Email', description: "user's mail, else the contact's primary email" },
  matchedAddress: { label: 'Matched address', description: 'the address (lower-cased) the user and contact were joined on' },
  matchedBy: { label: 'Matched by', description: 'which user address matched: mail, upn, proxyAddress or otherMail' },
  objectType: { label: 'Object type', description: 'user or orgContact' },
  userType: { label: 'User type', description: 'Member or Guest' },
  accountEnabled: { label: 'Account enabled', description: 'true, false, or empty when unknown' },
  deleted: { label: 'Deleted', description: 'the account is in the recycle bin' },
  licenses: { label: 'Licenses', description: 'product names of the assigned licenses (CSV: joined by "; ")' },
  licenseCount: { label: 'License count', description: 'number of assigned licenses' },
  mfaStatus: { label: 'MFA status', description: 'Enabled only when MFA registration is complete; Disabled, N/A (org contact) or Unknown' },
  mfaReason: { label: 'MFA reason', description: 'why the status is what it is, e.g. why it is Unknown' },
  mfaRegistered: { label: 'MFA registered', description: 'isMfaRegistered from the registration report' },
  mfaMethods: { label: 'MFA methods', description: 'registered authentication methods (CSV: joined by "; ")' },
  perUserMfa: { label: 'Per-user MFA', description: 'what the admin portal shows: disabled, enabled, enforced or unknown' },
  securityDefaults: { label: 'Security defaults', description: 'covered, not_covered or unknown' },
  conditionalAccess: { label: 'Conditional access', description: 'covered, not_covered or unknown' },
  mfaExplanation: { label: 'MFA explanation', description: "one sentence where the admin portal's view and ours differ" },
  contactName: { label: 'Contact name', description: 'contact: first and last name' },
  contactEmail: { label: 'Contact email', description: 'contact: primary email (else its first)' },
  contactPhone: { label: 'Contact phone', description: 'contact: phone' },
  contactTitle: { label: 'Contact title', description: 'contact: title' },
  contactCompany: { label: 'Contact company', description: 'contact: company name in the PSA' },
  contactActive: { label: 'Contact active', description: 'contact: active in the PSA' },
  psa: { label: 'PSA', description: 'contact: connectwise, autotask or halopsa' },
  tenantId: { label: 'Tenant id', description: 'user: Microsoft Entra tenant id' },
  userId: { label: 'User id', description: 'user: object id' },
  source: { label: 'Source', description: 'where the row comes from: o365, contact, or o365+contact when both are joined' }
} as const satisfies Record<string, { label: string, description: string }>

export type ColumnKey = keyof typeof COLUMN_CATALOGUE
export const COLUMN_KEYS = Object.keys(COLUMN_CATALOGUE) as ColumnKey[]

export function isColumnKey (key: string): key is ColumnKey {
  return Object.hasOwn(COLUMN_CATALOGUE, key)
}

export const MergeMode = Type.Union([
  Type.Literal('none'), Type.Literal('contacts+o365'), Type.Literal('o365+contacts')
], {
  description: 'none: O365 users only; contacts+o365: one row per contact, O365 data added; ' +
    'o365+contacts: one row per O365 user (and org contact), contact data added. Joined on email, case-insensitive, ' +
    "also on the user's UPN, proxyAddresses (smtp:) and otherMails."
})
export type MergeMode = Static<typeof MergeMode>

export const MatchedBy = Type.Union([
  Type.Literal('mail'), Type.Literal('upn'), Type.Literal('proxyAddress'), Type.Literal('otherMail')
])
export type MatchedBy = Static<typeof MatchedBy>

export const ColumnCatalogueEntry = Type.Object({
  key: Type.String(),
  label: Type.String({ description: 'default label' }),
  description: Type.String()
})
export type ColumnCatalogueEntry = Static<typeof ColumnCatalogueEntry>

export const ColumnCatalogue = Type.Object({ items: Type.Array(ColumnCatalogueEntry) })
