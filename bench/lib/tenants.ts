/** A realistic mix for generated tenants (fractions of userCount; deleted users and org contacts come on top). */
export const TENANT_MIX = {
  guests: 0.05,
  disabled: 0.05,
  unlicensed: 0.05,
  mfaRegistered: 0.7,
  perUserEnabled: 0.05,
  perUserEnforced: 0.05,
  admins: 20,
  deleted: 0.01,
  orgContacts: 0.01
}

/**
 * What the app may read in a tenant. `mfa`: everything (a P1 tenant: the registration report, one
 * per-user MFA call per user, policies). `directory`: users, deleted users, org contacts and SKUs only
 * (no AuditLog.Read.All, no Policy.Read.All): graph-sync's own pipeline without the MFA reads, whose
 * pace Graph sets (the report's 5 requests / 10 s, a call per user).
 */
export type TenantProfile = 'mfa' | 'directory'

export function tenantInput (profile: TenantProfile, input: Record<string, unknown>): Record<string, unknown> {
  return {
    mix: TENANT_MIX,
    licenseTier: 'p1',
    ...(profile === 'directory' ? { grantedPermissions: ['User.Read.All', 'Organization.Read.All', 'OrgContact.Read.All'] } : {}),
    ...input
  }
}

/**
 * The least time Entra's documented limit on the registration report (5 requests per 10 s per app and
 * tenant, honoured by graph-sync's limiter) allows for walking `pages` pages of it.
 */
export function reportPacingMs (pages: number): number {
  return Math.floor(Math.max(0, pages - 1) / 5) * 10_000
}

export const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n)
