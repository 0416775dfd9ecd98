import type { UserMfa } from '@m365/contracts'
import { explainMfa } from './explain.js'
import { mfaStatus } from './status.js'
import type { MfaFacts } from './types.js'

/** The full MFA picture of one directory object, as events carry it (`O365User.mfa`). */
export function userMfa (facts: MfaFacts): UserMfa {
  const { status, reason } = mfaStatus(facts)
  const record = facts.registration.available ? facts.registration.record : null
  const isContact = facts.kind === 'orgContact'
  return {
    status,
    reason,
    registered: isContact || !facts.registration.available ? null : record?.isMfaRegistered === true,
    methods: record?.methodsRegistered ? [...record.methodsRegistered] : [],
    perUserState: facts.perUserState ?? 'unknown',
    // An org contact cannot sign in, so nothing can ask it for MFA.
    securityDefaults: isContact ? 'not_covered' : facts.securityDefaults ?? 'unknown',
    conditionalAccess: isContact ? 'not_covered' : facts.conditionalAccess ?? 'unknown',
    explanation: explainMfa(facts)
  }
}
