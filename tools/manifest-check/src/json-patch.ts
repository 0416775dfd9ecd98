import { isRecord } from './yaml.js'

/** One RFC 6902 operation of the kinds our overlays use. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove'
  path: string
  value?: unknown
}

export function isPatchOperation (value: unknown): value is PatchOperation {
  return isRecord(value) && typeof value.path === 'string' &&
    (value.op === 'add' || value.op === 'replace' || value.op === 'remove') &&
    (value.op === 'remove' || 'value' in value)
}

/** RFC 6901: "/spec/rules/0/host" → ['spec', 'rules', '0', 'host'] */
function tokens (pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${pointer}`)
  return pointer.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/**
 * Applies RFC 6902 add / replace / remove to a copy of `document`. Strict as the RFC: replace and
 * remove need an existing target, add needs an existing parent ("-" appends to an array).
 */
export function applyJsonPatch<T> (document: T, operations: readonly PatchOperation[]): T {
  const root = structuredClone(document) as unknown
  for (const { op, path, value } of operations) {
    const parts = tokens(path)
    const last = parts.pop()
    if (last === undefined) throw new Error(`cannot ${op} the whole document (${path})`)
    let parent: unknown = root
    for (const part of parts) {
      parent = Array.isArray(parent) ? parent[arrayIndex(parent, part, path, false)] : isRecord(parent) ? parent[part] : undefined
      if (parent === undefined) throw new Error(`${op} ${path}: "${part}" does not exist`)
    }
    if (Array.isArray(parent)) {
      if (op === 'add' && last === '-') { parent.push(structuredClone(value)); continue }
      const index = arrayIndex(parent, last, path, op === 'add')
      if (op === 'add') parent.splice(index, 0, structuredClone(value))
      else if (op === 'replace') parent[index] = structuredClone(value)
      else parent.splice(index, 1)
    } else if (isRecord(parent)) {
      if (op !== 'add' && !(last in parent)) throw new Error(`${op} ${path}: "${last}" does not exist`)
      if (op === 'remove') delete parent[last]
      else parent[last] = structuredClone(value)
    } else {
      throw new Error(`${op} ${path}: the parent is not an object or array`)
    }
  }
  return root as T
}

function arrayIndex (array: unknown[], token: string, path: string, forInsert: boolean): number {
  const index = /^(0|[1-9]\d*)$/.test(token) ? Number(token) : NaN
  const max = forInsert ? array.length : array.length - 1
  if (Number.isNaN(index) || index > max) throw new Error(`${path}: no array index "${token}" (length ${array.length})`)
  return index
}
