import type { Sku } from '@m365/contracts'
import type { GraphClient } from '../client.js'
import { pages } from '../paging.js'
import { skuProductName } from '../skus.js'
import { int, obj, str, type Raw } from './raw.js'

export function toSku (raw: Raw): Sku {
  const skuId = str(raw.skuId) ?? ''
  const skuPartNumber = str(raw.skuPartNumber) ?? skuId
  const prepaid = obj(raw.prepaidUnits)
  return {
    skuId,
    skuPartNumber,
    productName: skuProductName(skuPartNumber, skuId),
    capabilityStatus: str(raw.capabilityStatus) ?? 'Unknown',
    total: int(prepaid.enabled),
    assigned: int(raw.consumedUnits),
    suspended: int(prepaid.suspended),
    warning: int(prepaid.warning)
  }
}

/** The tenant's subscribed SKUs with product names (spec §3); follows a nextLink should one appear. */
export async function fetchSubscribedSkus (client: GraphClient, opts: { signal?: AbortSignal } = {}): Promise<Sku[]> {
  const skus: Sku[] = []
  for await (const page of pages<Raw>(client, '/subscribedSkus', opts)) skus.push(...page.map(toSku))
  return skus
}
