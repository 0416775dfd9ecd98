/** Request headers as Node (`IncomingHttpHeaders`), fetch (`Headers`) or a plain record give them. */
export type HeaderSource =
  | { get (name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * The single value of a header, looked up case-insensitively.
 * Returns undefined when it is missing and null when it was sent more than once (ambiguous).
 */
export function headerValue (headers: HeaderSource, name: string): string | undefined | null {
  if (typeof headers.get === 'function') {
    return (headers as { get (name: string): string | null }).get(name) ?? undefined
  }
  const wanted = name.toLowerCase()
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>
  const values: string[] = []
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue
    if (typeof value === 'string') values.push(value)
    else values.push(...value)
  }
  if (values.length === 0) return undefined
  return values.length === 1 ? values[0] : null
}
