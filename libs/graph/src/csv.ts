/**
 * A small RFC 4180 reader: comma-separated, fields optionally in double quotes, `""` inside quotes
 * is one quote, quoted fields may hold commas and line breaks, CRLF or LF line ends.
 * Returns one object per data row keyed by the header's column names.
 */
export function parseCsv (text: string): Array<Record<string, string>> {
  const rows = readRows(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  const header = rows.shift()
  if (!header) return []
  return rows
    .filter((row) => !(row.length === 1 && row[0] === ''))
    .map((row) => Object.fromEntries(header.map((name, i) => [name.trim(), row[i] ?? ''])))
}

function readRows (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c !== '"') field += c
      else if (text[i + 1] === '"') { field += '"'; i++ } else quoted = false
    } else if (c === '"') {
      quoted = true
    } else if (c === ',') {
      row.push(field); field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field); rows.push(row); row = []; field = ''
    } else {
      field += c
    }
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}
