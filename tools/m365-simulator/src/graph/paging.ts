/**
 * Walks listing positions from `start`, keeping what `at` returns, until the page is full, the end
 * is reached, or the scan budget is spent (a filter that matches rarely then yields a short or empty
 * page with a nextLink, as Graph's do). Nothing but the page is ever held in memory.
 */
export function scanPage<T> (start: number, end: number, at: (p: number) => T | undefined, pageSize: number, budget = Math.max(20_000, pageSize * 20)) {
  const items: T[] = []
  let p = start
  const stop = Math.min(end, start + budget)
  while (p < stop && items.length < pageSize) {
    const item = at(p++)
    if (item !== undefined) items.push(item)
  }
  return { items, next: p < end ? p : undefined }
}

export function odataPage (context: string, value: unknown[], extra: { nextLink?: string | undefined, deltaLink?: string | undefined, count?: number | undefined } = {}) {
  return {
    '@odata.context': context,
    ...(extra.count === undefined ? {} : { '@odata.count': extra.count }),
    ...(extra.nextLink ? { '@odata.nextLink': extra.nextLink } : {}),
    ...(extra.deltaLink ? { '@odata.deltaLink': extra.deltaLink } : {}),
    value
  }
}
