import { Problem } from '@m365/api'

/** Problem responses for the given statuses, for a route's response schema. */
export function problems<S extends number> (...statuses: S[]): Record<S, typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<S, typeof Problem>
}
