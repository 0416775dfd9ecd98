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

export const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n)
