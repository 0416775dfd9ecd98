import type { GraphClient, GraphRequestOptions } from './client.js'

export interface ODataPage<T> {
  value?: T[]
  '@odata.nextLink'?: string
  '@odata.deltaLink'?: string
}

export type PageOptions = Pick<GraphRequestOptions, 'version' | 'select' | 'top' | 'filter' | 'query' | 'headers' | 'limiter' | 'signal'>

/**
 * One page (the `value` array) at a time, following @odata.nextLink exactly as Graph gave it until
 * there is none. Headers (ConsistencyLevel, Prefer) are sent again on every page: Graph does not
 * carry them over. Only the current page is held, so tenants of any size stream through.
 */
export async function * pages<T> (client: GraphClient, path: string, options: PageOptions = {}): AsyncGenerator<T[], void, undefined> {
  const { headers, limiter, signal } = options
  const follow = { ...(headers ? { headers } : {}), ...(limiter ? { limiter } : {}), ...(signal ? { signal } : {}) }
  let page = await client.get<ODataPage<T>>(path, options)
  for (;;) {
    yield page.value ?? []
    const next = page['@odata.nextLink']
    if (!next) return
    page = await client.getLink<ODataPage<T>>(next, follow)
  }
}

export interface DeltaOptions {
  /** The deltaLink stored after the previous round; absent for a first (full) round. */
  deltaLink?: string | null
  /** Only for a first round: the selection is encoded into the links that follow. */
  select?: readonly string[]
  /** Collection to track; '/users/delta' unless said otherwise. */
  path?: string
  headers?: Record<string, string>
  signal?: AbortSignal
}

/**
 * One delta round: yields each page of changes (entries may carry `@removed`), then returns the new
 * @odata.deltaLink to store for the next round. Persist it only after every page was handled.
 * A stored link that expired rejects with a GraphRequestError for which isDeltaExpired() is true.
 *
 * @example
 * const round = deltaPages<UserDelta>(client, { deltaLink })
 * for (let r = await round.next(); ; r = await round.next()) {
 *   if (r.done) { await saveDeltaLink(r.value); break }
 *   await upsert(r.value)
 * }
 */
export async function * deltaPages<T> (client: GraphClient, options: DeltaOptions = {}): AsyncGenerator<T[], string, undefined> {
  const { headers, signal } = options
  const follow = { ...(headers ? { headers } : {}), ...(signal ? { signal } : {}) }
  let page = options.deltaLink
    ? await client.getLink<ODataPage<T>>(options.deltaLink, follow)
    : await client.get<ODataPage<T>>(options.path ?? '/users/delta', { ...follow, ...(options.select ? { select: options.select } : {}) })
  for (;;) {
    yield page.value ?? []
    const next = page['@odata.nextLink']
    if (next) {
      page = await client.getLink<ODataPage<T>>(next, follow)
      continue
    }
    const deltaLink = page['@odata.deltaLink']
    if (!deltaLink) throw new Error('delta round ended without an @odata.deltaLink')
    return deltaLink
  }
}
