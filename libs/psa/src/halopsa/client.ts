import { positiveInt, toPage, type ContactPage, type ListContactsOptions, type PsaContactClient } from '../client.js'
import { joinUrl, requestJson, type HttpOptions } from '../http.js'
import { PsaPayloadError } from '../validation.js'
import { normaliseHaloUser } from './normalise.js'
import { parseHaloUser } from './payload.js'
import { createHaloTokenSource, withToken } from './token.js'

export interface HaloClientOptions extends HttpOptions {
  /** the resource server, e.g. `https://acme.halopsa.com` (the API lives under `/api`) */
  baseUrl: string
  /** default `{baseUrl}/auth` */
  authUrl?: string
  tenant?: string
  clientId: string
  clientSecret: string
  scope?: string
  tenantKey?: string
  /** page_size; default 100 */
  pageSize?: number
  now?: () => number
}

interface UsersPage { record_count?: unknown, page_size?: unknown, users?: unknown }

/**
 * HaloPSA users (specs/psa-webhooks.md §4.5): OAuth2 client credentials, then
 * `GET /api/Users?pageinate=true&page_size&page_no&includeactive=true&includeinactive=true[&client_id]`,
 * until record_count records are read, or an empty page, or one shorter than the page_size Halo answered (which may be
 * less than the one asked for). Halo cannot filter by change date: `updatedSince` is ignored.
 */
export function createHaloClient (options: HaloClientOptions): PsaContactClient {
  const tokens = createHaloTokenSource({ ...options, authUrl: options.authUrl ?? joinUrl(options.baseUrl, 'auth') })
  const ctx = { tenantKey: options.tenantKey ?? '' }
  const get = async (url: string, accept: number[] = []) => await withToken(tokens, async (token) =>
    await requestJson({ method: 'GET', url, headers: { authorization: `Bearer ${token}` }, accept }, options))

  async function getContact (id: string | number) {
    const res = await get(joinUrl(options.baseUrl, `api/Users/${positiveInt(id, 'user id')}`), [404])
    if (res.status !== 404) return normaliseHaloUser(parseHaloUser(res.json), ctx)
    // A wrong resource URL answers 404 too: the user is deleted only if the Users list answers there (a 404 is thrown).
    await get(joinUrl(options.baseUrl, 'api/Users', { pageinate: true, page_size: 1, page_no: 1 }))
    return null
  }

  async function * listContacts (list: ListContactsOptions = {}): AsyncGenerator<ContactPage, void, undefined> {
    const pageSize = Math.max(1, list.pageSize ?? options.pageSize ?? 100)
    const maxPages = list.maxPages ?? 100_000
    const clients = list.companyIds?.map((id) => positiveInt(id, 'client id')) ?? [undefined]
    let count = 0
    for (const clientId of clients) {
      // Halo may cap page_size below what we asked for: paging follows the page_size it answered (or, without one,
      // the records it sent), so a capped listing is read to the end; an empty or short page is the last one
      let read = 0
      let largest = 0
      for (let pageNo = 1; ; pageNo++) {
        if (++count > maxPages) return
        const res = await get(joinUrl(options.baseUrl, 'api/Users', {
          pageinate: true, page_size: pageSize, page_no: pageNo, includeactive: true, includeinactive: true, client_id: clientId
        }))
        const json = res.json as UsersPage | null
        if (!Array.isArray(json?.users)) throw new PsaPayloadError('halopsa', 'users', 'must be array')
        if (typeof json.record_count !== 'number') throw new PsaPayloadError('halopsa', 'record_count', 'must be number')
        const users: unknown[] = json.users
        if (users.length === 0) break
        yield toPage(count, users, 'users', parseHaloUser, normaliseHaloUser, ctx)
        read += users.length
        largest = Math.max(largest, users.length)
        const answered = json.page_size
        const size = typeof answered === 'number' && Number.isSafeInteger(answered) && answered > 0 ? answered : largest
        if (read >= json.record_count || users.length < size) break
      }
    }
  }

  return { getContact, listContacts }
}
