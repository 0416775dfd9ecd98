export type LicenseTier = 'free' | 'p1' | 'p2'
export type PerUserMfaState = 'disabled' | 'enabled' | 'enforced'

export interface AssignedLicense { skuId: string, disabledPlans: string[] }

export interface LicenseAssignmentState {
  skuId: string
  disabledPlans: string[]
  assignedByGroup: string | null
  state: 'Active' | 'ActiveWithError' | 'Disabled' | 'Error'
  error: string
  lastUpdatedDateTime: string | null
}

/** A directory user as the simulator stores it; Graph output is derived from it. */
export interface UserRecord {
  id: string
  displayName: string
  givenName: string | null
  surname: string | null
  userPrincipalName: string
  mail: string | null
  mailNickname: string
  otherMails: string[]
  proxyAddresses: string[]
  userType: 'Member' | 'Guest'
  accountEnabled: boolean
  assignedLicenses: AssignedLicense[]
  /** derived from assignedLicenses (direct, Active) when absent */
  licenseAssignmentStates?: LicenseAssignmentState[]
  createdDateTime: string | null
  onPremisesSyncEnabled: boolean | null
  externalUserState: 'PendingAcceptance' | 'Accepted' | null
  externalUserStateChangeDateTime: string | null
  businessPhones: string[]
  jobTitle: string | null
  mobilePhone: string | null
  officeLocation: string | null
  preferredLanguage: string | null
  department: string | null
  companyName: string | null
  usageLocation: string | null
  /** signInActivity.lastSignInDateTime; null = never signed in */
  lastSignInDateTime: string | null
}

/** What the registration report says about a user; `userPrincipalName`, names and type come from the user. */
export interface RegistrationInput {
  isMfaRegistered: boolean
  methodsRegistered?: string[]
  isAdmin?: boolean
  isMfaCapable?: boolean
  isPasswordlessCapable?: boolean
  isSsprRegistered?: boolean
  isSsprEnabled?: boolean
  isSsprCapable?: boolean
  userPreferredMethodForSecondaryAuthentication?: string
  isSystemPreferredAuthenticationMethodEnabled?: boolean
  systemPreferredAuthenticationMethods?: string[]
  defaultMfaMethod?: string
  lastUpdatedDateTime?: string
}

export interface MfaProfile {
  /** null = the report has no record for this user (e.g. a disabled account) */
  registration: RegistrationInput | null
  perUserMfaState: PerUserMfaState
}

/** A user plus its MFA data: one row of the simulated directory. */
export interface UserEntry { user: UserRecord, mfa: MfaProfile }

/** addUser input: only displayName or userPrincipalName is needed, the rest gets defaults. */
export type UserInput = Partial<UserRecord> & {
  displayName?: string
  userPrincipalName?: string
  /** null = no registration record; default: not registered (a record with isMfaRegistered false) */
  registration?: RegistrationInput | null
  perUserMfaState?: PerUserMfaState
  /** for tenant baselines: put the user in the recycle bin instead of the active list */
  deletedDateTime?: string
}

export interface OrgContactRecord {
  id: string
  displayName: string
  mail: string | null
  mailNickname: string
  givenName: string | null
  surname: string | null
  companyName: string | null
  jobTitle: string | null
  department: string | null
  proxyAddresses: string[]
  onPremisesSyncEnabled: boolean | null
  businessPhones: string[]
  mobilePhone: string | null
}

export type OrgContactInput = Partial<OrgContactRecord> & { displayName: string }

export interface SkuInput {
  skuPartNumber: string
  /** default: the real id for known part numbers, else a stable GUID derived from the part number */
  skuId?: string
  /** share of licensed members who get this as their main licence (relative weight), default 1 */
  weight?: number
  /** instead of weight: fraction of licensed members who get this add-on on top */
  addOnShare?: number
  /** prepaidUnits.enabled; default: consumed by the generated users + some headroom */
  enabled?: number
  warning?: number
  suspended?: number
  lockedOut?: number
  capabilityStatus?: 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut'
  appliesTo?: 'User' | 'Company'
}

/** Fractions (0 ≤ x < 1) of userCount, or counts (integers ≥ 1). */
export interface TenantMix {
  guests?: number
  disabled?: number
  /** users in the recycle bin (a separate population, not taken out of userCount) */
  deleted?: number
  /** org contacts (a separate population) */
  orgContacts?: number
  /** members without any licence */
  unlicensed?: number
  mfaRegistered?: number
  perUserEnabled?: number
  perUserEnforced?: number
  admins?: number
}

export interface ConditionalAccessPolicy {
  id: string
  displayName: string
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced'
  createdDateTime?: string | null
  modifiedDateTime?: string | null
  conditions: Record<string, unknown>
  grantControls: Record<string, unknown> | null
  sessionControls?: Record<string, unknown> | null
}

export interface CreateTenantInput {
  tenantId?: string
  displayName: string
  /** verified default domain; default `<slug>.onmicrosoft.com` */
  defaultDomain?: string
  seed?: string | number
  userCount?: number
  mix?: TenantMix
  skus?: SkuInput[]
  licenseTier?: LicenseTier
  securityDefaults?: boolean
  /** CA policies, or `'requireMfaForAll'` for one enabled "Require MFA for all users" policy */
  conditionalAccess?: ConditionalAccessPolicy[] | 'requireMfaForAll'
  /** consent at creation: these permissions for `consentedClientIds` (default: every app registered so far) */
  grantedPermissions?: string[]
  consentedClientIds?: string[]
  /** explicit users listed before the generated ones (fixtures); `deletedDateTime` puts one in the recycle bin */
  users?: UserInput[]
  contacts?: OrgContactInput[]
  /** registration-report throttle; default the spec's 5 requests per 10 s per app per tenant; null = off */
  reportThrottle?: { requests: number, windowSeconds: number } | null
  createdDateTime?: string
}

export interface AppRegistrationInput {
  clientId: string
  clientSecret?: string
  /** hex SHA-1 or SHA-256 thumbprint of the app's certificate (or give certificatePem) */
  certificateThumbprint?: string
  /** the app's public certificate: lets the simulator verify client assertion signatures */
  certificatePem?: string
  displayName?: string
  /** application permissions the app is configured with; admin consent grants these. Default: the spec's set */
  permissions?: string[]
  /** registered redirect URIs; when given, admin consent rejects others (AADSTS50011) */
  redirectUris?: string[]
  /** ISO date after which the secret answers AADSTS7000222 */
  secretExpiresAt?: string
}

export interface FaultRule {
  everyNth?: number
  probability?: number
  /** seconds (fractions allowed); a list is used in turn, one value per fault */
  retryAfterSeconds?: number | number[]
}

export interface FaultConfig {
  throttle429?: FaultRule
  unavailable503?: FaultRule
  dropConnection?: Omit<FaultRule, 'retryAfterSeconds'>
  /** inner requests of a $batch answer 424 Failed Dependency (in the batch's response, not run) */
  failedDependency424?: Omit<FaultRule, 'retryAfterSeconds'>
  /**
   * A request sent again (same method and path) before the Retry-After of its 429 has passed is
   * throttled again with the time left, as Graph counts throttled requests against the limit, and
   * counted in stats.retriedEarly.
   */
  holdRetryAfter?: boolean
  /** a $batch with a throttled inner request answers 424 (per-item responses in the body), as the throttling doc says, instead of 200 */
  batchEnvelope424?: boolean
  slowPageMs?: number
  /** path prefixes the faults apply to, e.g. ['/v1.0/users']; default all Graph paths */
  onlyPaths?: string[]
}

export type DeltaExpiry = 'syncStateNotFound' | 'resyncRequired410'

export interface TenantStats {
  requests: Record<string, number>
  statuses: Record<string, number>
  throttled: number
  /** requests sent again before the Retry-After of their 429 had passed (with faults.holdRetryAfter) */
  retriedEarly: number
  tokensIssued: number
  tokensByClient: Record<string, number>
}
