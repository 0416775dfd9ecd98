import { chunks, isoDate, positiveInt, toPage, type ContactPage, type ListContactsOptions, type PsaContactClient } from '../client.js'
import { joinUrl, requestJson, type HttpOptions } from '../http.js'
import { PsaPayloadError } from '../validation.js'
import { normaliseConnectWiseContact } from './normalise.js'
import { parseConnectWiseContact } from './payload.js'

export interface ConnectWiseClientOptions extends HttpOptions {
  /** `https://{apiHost}/{codebase}apis/3.0`, e.g. `https://api-na.myconnectwise.net/v4_6_release/apis/3.0` */
  baseUrl: string
  /** the PSA login company id (the part before `+` in the Basic user) */
  companyId: string
  publicKey: string
  privateKey: string
  /** the integrator's clientId GUID from developer.connectwise.com */
  clientId: string
  tenantKey?: string
  /** default and maximum 1000 */
  pageSize?: number
}

/**
 * ConnectWise PSA contacts (specs/psa-webhooks.md §2.5): Basic `companyId+publicKey:privateKey` plus `clientId`,
 * `GET /company/contacts?conditions=…&orderBy=id asc&pageSize&page`, following `Link: rel="next"` when sent.
 */
export function createConnectWiseClient (options: ConnectWiseClientOptions): PsaContactClient {
  const auth = Buffer.from(`${options.companyId}+${options.publicKey}:${options.privateKey}`).toString('base64')
  const headers = { authorization: `Basic ${auth}`, clientid: options.clientId }
  const ctx = { tenantKey: options.tenantKey ?? '' }
  const origin = new URL(options.baseUrl).origin

  async function getContact (id: string | number) {
    const contactId = positiveInt(id, 'contact id')
    const res = await requestJson({ method: 'GET', url: joinUrl(options.baseUrl, `company/contacts/${contactId}`), headers, accept: [404] }, options)
    if (res.status !== 404) return normaliseConnectWiseContact(parseConnectWiseContact(res.json), ctx)
    // A wrong base URL (an outdated codebase, §2.5) answers 404 too: deleted only if the list, asked for this id,
    // answers without it (a 404 there is thrown).
    const list = await requestJson({
      method: 'GET', url: joinUrl(options.baseUrl, 'company/contacts', { conditions: `id=${contactId}`, pageSize: 1 }), headers
    }, options)
    if (!Array.isArray(list.json)) throw new PsaPayloadError('connectwise', '(body)', 'must be array')
    return list.json.length === 0 ? null : normaliseConnectWiseContact(parseConnectWiseContact(list.json[0], '[0]'), ctx)
  }

  async function * listContacts (list: ListContactsOptions = {}): AsyncGenerator<ContactPage, void, undefined> {
    const pageSize = Math.min(1000, list.pageSize ?? options.pageSize ?? 1000)
    const maxPages = list.maxPages ?? 100_000
    const companyIds = list.companyIds?.map((id) => positiveInt(id, 'company id'))
    const groups = companyIds === undefined ? [undefined] : chunks(companyIds, 100)
    let count = 0
    for (const group of groups) {
      const conditions = [
        group === undefined ? undefined : `company/id in (${group.join(',')})`,
        list.updatedSince === undefined ? undefined : `lastUpdated>[${isoDate(list.updatedSince)}]`
      ].filter((c) => c !== undefined).join(' and ')
      let url: string | undefined = joinUrl(options.baseUrl, 'company/contacts', {
        conditions: conditions === '' ? undefined : conditions, orderBy: 'id asc', pageSize, page: 1
      })
      // A PSA that repeats a page (a Link to a page already read, or `page` ignored) fails the listing at once
      // instead of being read again until maxPages.
      const read = new Set<string>()
      let lastId = 0
      for (let page = 1; url !== undefined; page++) {
        if (++count > maxPages) return
        read.add(url)
        const res = await requestJson({ method: 'GET', url, headers }, options)
        if (!Array.isArray(res.json)) throw new PsaPayloadError('connectwise', '(body)', 'must be array')
        const ids = res.json.map((item) => (item as { id?: unknown } | null)?.id).filter((id): id is number => typeof id === 'number')
        if (ids.length > 0 && Math.min(...ids) <= lastId) {
          throw new PsaPayloadError('connectwise', '(body)', `page ${page} repeats records already read (id ${Math.min(...ids)} ≤ ${lastId}, orderBy=id asc)`)
        }
        lastId = Math.max(lastId, ...ids)
        yield toPage(count, res.json, '', parseConnectWiseContact, normaliseConnectWiseContact, ctx)
        // Navigable mode sends Link headers: follow rel="next". Without them, a short page is the last.
        url = res.headers.link !== undefined
          ? nextUrl(res.headers.link, origin)
          : res.json.length < pageSize ? undefined : withPage(url, page + 1)
        if (url !== undefined && read.has(url)) throw new PsaPayloadError('connectwise', 'Link', `rel="next" of page ${page} is a page already read`)
      }
    }
  }

  return { getContact, listContacts }
}

/** `Link: <…>; rel="next"`, only on the API's own origin (credentials go with it). */
function nextUrl (link: string | string[] | undefined, origin: string): string | undefined {
  const header = Array.isArray(link) ? link.join(', ') : link
  if (!header) return undefined
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;.*rel="?next"?/i.exec(part)
    if (match?.[1] && new URL(match[1], origin).origin === origin) return new URL(match[1], origin).toString()
  }
  return undefined
}

function withPage (url: string, page: number): string {
  const next = new URL(url)
  next.searchParams.set('page', String(page))
  return next.toString()
}
