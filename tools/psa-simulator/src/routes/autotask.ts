import type { FastifyInstance, FastifyReply } from 'fastify'
import { compileFilter, QueryError } from '../autotask-query.js'
import { toAutotaskContact } from '../shapes/autotask.js'
import type { SimState } from '../state.js'

export const AUTOTASK_API_PREFIX = '/ATServicesRest/V1.0'

interface Query { MaxRecords?: unknown, IncludeFields?: unknown, filter?: unknown }
interface Cursor { query: Query, after: number }

/** Autotask: zone lookup and the Contacts entity (query with pageDetails.nextPageUrl, get by id). */
export function autotaskRoutes (state: SimState) {
  return async function (app: FastifyInstance) {
    const { credentials, store } = state

    app.get<{ Querystring: { user?: string } }>(`${AUTOTASK_API_PREFIX}/zoneInformation`, async (request, reply) => {
      if (request.query.user?.toLowerCase() !== credentials.autotask.username.toLowerCase()) {
        return await reply.code(404).send({ errors: ['Zone information could not be determined'] })
      }
      return { zoneName: 'Simulator', url: `${state.url}/ATServicesRest/`, webUrl: `${state.url}/`, ci: 0 }
    })

    app.register(async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        const h = request.headers
        if (h.apiintegrationcode !== credentials.autotask.integrationCode || h.username !== credentials.autotask.username ||
          h.secret !== credentials.autotask.secret) {
          await reply.code(401).send({ errors: ['Unauthorized'] })
        }
      })

      const query = async (reply: FastifyReply, q: Query, after: number) => {
        try {
          return page(q, after)
        } catch (err) {
          if (!(err instanceof QueryError)) throw err
          return await reply.code(400).send({ errors: [err.message] })
        }
      }

      api.post<{ Body: Query }>('/Contacts/query', async (request, reply) => await query(reply, request.body ?? {}, 0))
      api.get<{ Querystring: { search?: string } }>('/Contacts/query', async (request, reply) => {
        const q = parseSearch(request.query.search)
        return q === undefined ? await reply.code(400).send({ errors: ['search must be a JSON query'] }) : await query(reply, q, 0)
      })
      const next = async (paging: string | undefined, reply: FastifyReply) => {
        const cursor = decodeCursor(paging)
        return cursor === undefined ? await reply.code(400).send({ errors: ['invalid paging'] }) : await query(reply, cursor.query, cursor.after)
      }
      api.post<{ Querystring: { paging?: string } }>('/Contacts/query/next', async (request, reply) => await next(request.query.paging, reply))
      api.get<{ Querystring: { paging?: string } }>('/Contacts/query/next', async (request, reply) => await next(request.query.paging, reply))

      api.post<{ Body: Query }>('/Contacts/query/count', async (request, reply) => {
        try {
          const test = compileFilter(request.body?.filter)
          let queryCount = 0
          for (const c of store.contacts.values()) if (test(toAutotaskContact(c))) queryCount++
          return { queryCount }
        } catch (err) {
          if (!(err instanceof QueryError)) throw err
          return await reply.code(400).send({ errors: [err.message] })
        }
      })

      api.get<{ Params: { id: string } }>('/Contacts/:id', async (request) => {
        const contact = store.contacts.get(Number(request.params.id))
        return { item: contact ? toAutotaskContact(contact) : null }
      })
    }, { prefix: AUTOTASK_API_PREFIX })

    /** One page of ids > after, at most MaxRecords, in id order. */
    function page (q: Query, after: number) {
      const max = q.MaxRecords === undefined ? 500 : Number(q.MaxRecords)
      if (!Number.isInteger(max) || max < 1 || max > 500) throw new QueryError('MaxRecords must be between 1 and 500')
      const test = compileFilter(q.filter)
      const include = Array.isArray(q.IncludeFields) ? q.IncludeFields.map((f) => String(f).toLowerCase()) : undefined
      const items: Record<string, unknown>[] = []
      let more = false
      for (const contact of store.contacts.values()) {
        if (contact.id <= after) continue
        const row = toAutotaskContact(contact)
        if (!test(row)) continue
        if (items.length === max) {
          more = true
          break
        }
        items.push(include ? project(row, include) : row)
      }
      const lastId = items.length > 0 ? Number(items[items.length - 1]?.id) : after
      const nextPageUrl = more ? `${state.url}${AUTOTASK_API_PREFIX}/Contacts/query/next?paging=${encodeCursor({ query: q, after: lastId })}` : null
      return { items, pageDetails: { count: items.length, requestCount: max, prevPageUrl: null, nextPageUrl } }
    }
  }
}

function project (row: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => key === 'id' || fields.includes(key.toLowerCase())))
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')

function decodeCursor (paging: string | undefined): Cursor | undefined {
  try {
    const cursor = JSON.parse(Buffer.from(paging ?? '', 'base64url').toString('utf8')) as Cursor
    return typeof cursor.after === 'number' && typeof cursor.query === 'object' ? cursor : undefined
  } catch {
    return undefined
  }
}

function parseSearch (search: string | undefined): Query | undefined {
  try {
    const q = JSON.parse(search ?? '') as unknown
    return typeof q === 'object' && q !== null ? q as Query : undefined
  } catch {
    return undefined
  }
}
