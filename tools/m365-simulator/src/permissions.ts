/** Application permissions (app roles) the simulator knows, and which of them each Graph resource accepts. */
export const DEFAULT_APP_PERMISSIONS = [
  'User.Read.All', 'Organization.Read.All', 'AuditLog.Read.All', 'Policy.Read.All', 'OrgContact.Read.All'
] as const

export const ACCEPTS = {
  users: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  organization: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  reports: ['AuditLog.Read.All'],
  policies: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
  perUserMfa: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
  contacts: ['OrgContact.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All']
} as const

export type Resource = keyof typeof ACCEPTS
