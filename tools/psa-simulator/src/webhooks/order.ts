/** One planned delivery: which event, which copy of it. */
export interface PlannedDelivery { event: number, copy: number }

/**
 * The delivery plan: each event followed by its duplicates; with `outOfOrder` a seeded shuffle that is
 * guaranteed to differ from the original order of the distinct events when there are at least two.
 */
export function plan (eventCount: number, duplicates: number, outOfOrder: boolean, seed: number): PlannedDelivery[] {
  const items: PlannedDelivery[] = []
  for (let event = 0; event < eventCount; event++) {
    for (let copy = 0; copy <= duplicates; copy++) items.push({ event, copy })
  }
  if (!outOfOrder || eventCount < 2) return items
  let state = seed >>> 0 || 1
  const random = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as PlannedDelivery, items[i] as PlannedDelivery]
  }
  const firsts = items.filter((d) => d.copy === 0).map((d) => d.event)
  if (firsts.every((event, i) => event === i)) items.reverse()
  return items
}
