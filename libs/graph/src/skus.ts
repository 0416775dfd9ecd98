import { readFileSync } from 'node:fs'
import { parseCsv } from './csv.js'

/**
 * Bundled copy of Microsoft's "Product names and service plan identifiers for licensing" (SKU level). assets/ is a
 * sibling of src/ and dist/, so this resolves from either without a copy step (the image keeps the project folder).
 */
const SKU_CSV = new URL('../assets/m365-skus.csv', import.meta.url)

interface SkuNames {
  byId: Map<string, string>
  byPartNumber: Map<string, string>
  partById: Map<string, string>
}

let names: SkuNames | undefined

/** Read once, on first use: most processes never need the table. */
function load (): SkuNames {
  if (names) return names
  const byId = new Map<string, string>()
  const byPartNumber = new Map<string, string>()
  const partById = new Map<string, string>()
  for (const row of parseCsv(readFileSync(SKU_CSV, 'utf8'))) {
    const id = row.sku_id?.trim().toLowerCase()
    const part = row.sku_part_number?.trim()
    const name = row.display_name?.trim()
    if (id && part) partById.set(id, part)
    if (!name) continue
    if (id) byId.set(id, name)
    // A part number can appear under several SKU ids with different names: the first one wins
    // here, and callers that know the skuId get the exact name.
    if (part && !byPartNumber.has(part)) byPartNumber.set(part, name)
  }
  names = { byId, byPartNumber, partById }
  return names
}

/**
 * The product name for a SKU ("ENTERPRISEPACK" → "Office 365 E3"). The skuId decides when given
 * and known; otherwise the part number; an unknown SKU falls back to its part number.
 */
export function skuProductName (skuPartNumber: string, skuId?: string | null): string {
  const { byId, byPartNumber } = load()
  return (skuId ? byId.get(skuId.toLowerCase()) : undefined) ??
    byPartNumber.get(skuPartNumber) ??
    skuPartNumber
}

/** The part number Microsoft's list gives a skuId, or null when the list does not know it. */
export function skuPartNumberById (skuId: string): string | null {
  return load().partById.get(skuId.toLowerCase()) ?? null
}
