import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'

/** Every non-empty document of a YAML file, as plain data; any YAML error or warning throws, naming the file. */
export function readYamlDocuments (file: string, options: { merge?: boolean } = {}): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: options.merge ?? false, uniqueKeys: true })
  const out: unknown[] = []
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings]
    if (problems.length > 0) throw new Error(`${file}: ${problems.map((p) => p.message).join('; ')}`)
    const value: unknown = doc.toJS({ maxAliasCount: 100 })
    if (value !== null && value !== undefined) out.push(value)
  }
  return out
}

/** The only document of a YAML file. */
export function readYamlDocument (file: string, options: { merge?: boolean } = {}): unknown {
  const docs = readYamlDocuments(file, options)
  if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`)
  return docs[0]
}

export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
