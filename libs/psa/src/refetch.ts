/**
 * Whether a webhook is enough on its own or the contact must be fetched from the PSA's REST API
 * (specs/psa-webhooks.md §1.4: events are hints). `reason` is for logs.
 */
export interface RefetchDecision { refetch: boolean, reason: string }

export const refetch = (reason: string): RefetchDecision => ({ refetch: true, reason })
export const noRefetch = (reason: string): RefetchDecision => ({ refetch: false, reason })
