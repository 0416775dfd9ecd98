const replacements: Readonly<Record<string, string>> = {
  '&': '\\u0026',
  '<': '\\u003C',
  '>': '\\u003E',
  "'": '\\u0027',
  '+': '\\u002B',
  '`': '\\u0060'
}

/**
 * The escaping Autotask may apply before signing (specs/psa-webhooks.md §3.3): inside JSON string
 * literals only, `& < > ' + \`` become `\u0026 \u003C \u003E \u0027 \u002B \u0060`, an escaped quote
 * `\"` becomes `\u0022` and every UTF-16 unit above 0x7F becomes `\uXXXX` (upper-case hex).
 * Everything else, including existing escapes, stays byte for byte.
 */
export function autotaskEscape (json: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const ch = json[i] as string
    if (!inString) {
      if (ch === '"') inString = true
      out += ch
      continue
    }
    if (ch === '\\') {
      const next = json[i + 1]
      if (next === undefined) return out + ch
      out += next === '"' ? '\\u0022' : ch + next
      i++
    } else if (ch === '"') {
      inString = false
      out += ch
    } else {
      const code = ch.charCodeAt(0)
      out += replacements[ch] ?? (code > 0x7f ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : ch)
    }
  }
  return out
}
