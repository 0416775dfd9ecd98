/** Readers for untyped Graph JSON: a wrong or missing field becomes null/[] instead of a crash later. */
export type Raw = Record<string, unknown>

export const str = (v: unknown): string | null => typeof v === 'string' ? v : null
export const bool = (v: unknown): boolean | null => typeof v === 'boolean' ? v : null
export const int = (v: unknown): number => typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.trunc(v)) : 0
export const strings = (v: unknown): string[] => Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
export const obj = (v: unknown): Raw => v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Raw : {}
export const objs = (v: unknown): Raw[] => Array.isArray(v) ? v.map(obj) : []

/** Graph's 'Member' | 'Guest'; anything else (or absent) is null. */
export const userType = (v: unknown): 'Member' | 'Guest' | null => {
  const t = str(v)?.toLowerCase()
  return t === 'member' ? 'Member' : t === 'guest' ? 'Guest' : null
}
