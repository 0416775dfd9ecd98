import { chunks, isoDate, positiveInt, toPage, type ContactPage, type ListContactsOptions, type PsaContactClient } from '../client.js'
import { joinUrl, requestJson, type HttpOptions } from '../http.js'
import { PsaPayloadError } from '../validation.js'
import { normaliseAutotaskContact } from './normalise.js'
import { parseAutotaskContact } from './payload.js'

export interface AutotaskClientOptions extends HttpOptions {
  /** the zone URL, e.g. `https://webservices5.autotask.net/ATServicesRest` (see resolveAutotaskZone) */
  baseUrl: string
  integrationCode: string
  username: string
  secret: string
  impersonationResourceId?: number
  tenantKey?: string
  /** MaxRecords, 1–500; default 500 */
  pageSize?: number
}

interface QueryPage { items?: unknown, pageDetails?: { nextPageUrl?: unknown } }

/**
 * Autotask contacts (specs/psa-webhooks.md §3.5): headers `ApiIntegrationCode`, `UserName`, `Secret`;
 * `POST /V1.0/Contacts/query` then re-POST the same body to `pageDetails.nextPageUrl` until it is null.
 */
export function createAutotaskClient (options: AutotaskClientOptions): PsaContactClient {
  const headers: Record<string, string> = {
    apiintegrationcode: options.integrationCode,
    username: options.username,
    secret: options.secret,
    'content-type': 'application/json'
  }
  if (options.impersonationResourceId !== undefined) headers.impersonationresourceid = String(options.impersonationResourceId)
  const ctx = { tenantKey: options.tenantKey ?? '' }
  const origin = new URL(options.baseUrl).origin

  async function getContact (id: string | number) {
    const contactId = positiveInt(id, 'contact id')
    const res = await requestJson({ method: 'GET', url: joinUrl(options.baseUrl, `V1.0/Contacts/${contactId}`), headers, accept: [404] }, options)
    if (res.status === 404) {
      // A wrong zone URL answers 404 too: deleted only if a query for this id answers without it (a 404 there is thrown).
      const body = JSON.stringify({ MaxRecords: 1, filter: [{ op: 'eq', field: 'id', value: contactId }] })
      const list = await requestJson({ method: 'POST', url: joinUrl(options.baseUrl, 'V1.0/Contacts/query'), headers, body }, options)
      const items = (list.json as QueryPage | null)?.items
      if (!Array.isArray(items)) throw new PsaPayloadError('autotask', 'items', 'must be array')
      return items.length === 0 ? null : normaliseAutotaskContact(parseAutotaskContact(items[0], 'items[0]'), ctx)
    }
    // Autotask answers an unknown id with `{ "item": null }`. A body without `item` is not "deleted" but broken.
    const json = res.json as { item?: unknown } | null
    if (json === null || typeof json !== 'object' || !('item' in json)) throw new PsaPayloadError('autotask', 'item', 'is required')
    return json.item === null ? null : normaliseAutotaskContact(parseAutotaskContact(json.item, 'item'), ctx)
  }

  async function * listContacts (list: ListContactsOptions = {}): AsyncGenerator<ContactPage, void, undefined> {
    const maxRecords = Math.max(1, Math.min(500, list.pageSize ?? options.pageSize ?? 500))
    const maxPages = list.maxPages ?? 100_000
    const companyIds = list.companyIds?.map((id) => positiveInt(id, 'company id'))
    const groups = companyIds === undefined ? [undefined] : chunks(companyIds, 500)
    let count = 0
    for (const group of groups) {
      const filter: unknown[] = [group === undefined
        ? { op: 'gt', field: 'id', value: 0 }
        : { op: 'in', field: 'companyID', value: group }]
      if (list.updatedSince !== undefined) filter.push({ op: 'gt', field: 'lastModifiedDate', value: isoDate(list.updatedSince) })
      const body = JSON.stringify({ MaxRecords: maxRecords, filter })
      let url: string | null = joinUrl(options.baseUrl, 'V1.0/Contacts/query')
      // a nextPageUrl already followed would be read again until maxPages: the listing fails at once instead
      const read = new Set<string>()
      while (url !== null) {
        if (++count > maxPages) return
        read.add(url)
        const res = await requestJson({ method: 'POST', url, headers, body }, options)
        const json = res.json as QueryPage | null
        if (!Array.isArray(json?.items)) throw new PsaPayloadError('autotask', 'items', 'must be array')
        yield toPage(count, json.items, 'items', parseAutotaskContact, normaliseAutotaskContact, ctx)
        url = sameOrigin(json.pageDetails?.nextPageUrl, origin)
        if (url !== null && read.has(url)) throw new PsaPayloadError('autotask', 'pageDetails.nextPageUrl', 'is a page already read')
      }
    }
  }

  return { getContact, listContacts }
}

/** Credentials only go to the zone's own origin (specs/psa-webhooks.md §3.5). */
function sameOrigin (next: unknown, origin: string): string | null {
  if (typeof next !== 'string' || next === '') return null
  const url = new URL(next, origin)
  if (url.origin !== origin) throw new PsaPayloadError('autotask', 'pageDetails.nextPageUrl', `must stay on ${origin}`)
  return url.toString()
}

export interface AutotaskZoneOptions extends HttpOptions {
  /** default `https://webservices.autotask.net/atservicesrest` */
  baseUrl?: string
}

/** `GET /V1.0/zoneInformation?user=` (no credentials) → the zone URL for createAutotaskClient, without `V1.0/`. */
export async function resolveAutotaskZone (username: string, options: AutotaskZoneOptions = {}): Promise<string> {
  const url = joinUrl(options.baseUrl ?? 'https://webservices.autotask.net/atservicesrest', 'V1.0/zoneInformation', { user: username })
  const res = await requestJson({ method: 'GET', url }, options)
  const zone = (res.json as { url?: unknown } | null)?.url
  if (typeof zone !== 'string' || zone === '') throw new PsaPayloadError('autotask', 'url', 'is required')
  return zone.replace(/\/+$/, '')
}
