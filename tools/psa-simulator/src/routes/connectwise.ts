import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ConditionError, parseConditions } from '../connectwise-conditions.js'
import type { SimContact } from '../model.js'
import { toConnectWiseContact } from '../shapes/connectwise.js'
import type { SimState } from '../state.js'

export const CONNECTWISE_API_PREFIX = '/v4_6_release/apis/3.0'

interface ListQuery { conditions?: string, orderBy?: string, page?: string, pageSize?: string }

/** ConnectWise PSA: contacts REST API (Basic `companyId+public:private` + clientId), codebase lookup and signing keys. */
export function connectWiseRoutes (state: SimState) {
  return async function (app: FastifyInstance) {
    const { credentials, store } = state
    const expected = `Basic ${Buffer.from(`${credentials.connectwise.companyId}+${credentials.connectwise.publicKey}:${credentials.connectwise.privateKey}`).toString('base64')}`

    app.get<{ Params: { companyId: string } }>('/login/companyinfo/:companyId', async (request) => ({
      CompanyName: credentials.connectwise.companyId,
      Codebase: 'v4_6_release/',
      VersionCode: 'v2025.1',
      VersionNumber: 'v4.6.0',
      CompanyID: request.params.companyId,
      IsCloud: true,
      SiteUrl: new URL(state.url).host
    }))

    app.get<{ Querystring: { id?: string } }>('/v4_6_release/system/callbackkey/index.rails', async (request, reply) => {
      state.counters.signingKeyFetches++
      const key = state.signingKeys.get(request.query.id ?? '')
      if (key === undefined) return await reply.code(404).send({ code: 'NotFound', message: 'unknown key id' })
      return { signing_key: key }
    })

    app.register(async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization !== expected || request.headers.clientid !== credentials.connectwise.clientId) {
          await reply.code(401).send({ code: 'Unauthorized', message: 'Authentication failed: check the API member keys and clientId.' })
        }
      })

      api.get<{ Querystring: ListQuery }>('/company/contacts', async (request, reply) => {
        let rows: SimContact[]
        try {
          rows = [...store.contacts.values()].filter(parseConditions(request.query.conditions))
        } catch (err) {
          if (!(err instanceof ConditionError)) throw err
          return await reply.code(400).send({ code: 'InvalidObject', message: err.message, errors: [{ code: 'InvalidCondition', message: err.message }] })
        }
        sortRows(rows, request.query.orderBy)
        const pageSize = Math.min(1000, Math.max(1, Number(request.query.pageSize ?? 25) || 25))
        const page = Math.max(1, Number(request.query.page ?? 1) || 1)
        const last = Math.max(1, Math.ceil(rows.length / pageSize))
        reply.header('link', linkHeader(state.url, request, page, last))
        return rows.slice((page - 1) * pageSize, page * pageSize).map(toConnectWiseContact)
      })

      api.get<{ Querystring: ListQuery }>('/company/contacts/count', async (request, reply) => {
        try {
          return { count: [...store.contacts.values()].filter(parseConditions(request.query.conditions)).length }
        } catch (err) {
          if (!(err instanceof ConditionError)) throw err
          return await reply.code(400).send({ code: 'InvalidObject', message: err.message })
        }
      })

      api.get<{ Params: { id: string } }>('/company/contacts/:id', async (request, reply) => {
        const contact = store.contacts.get(Number(request.params.id))
        if (!contact) return await reply.code(404).send({ code: 'NotFound', message: `Contact ID ${request.params.id} not found` })
        return toConnectWiseContact(contact)
      })
    }, { prefix: CONNECTWISE_API_PREFIX })
  }
}

function sortRows (rows: SimContact[], orderBy: string | undefined): void {
  const [field = 'id', direction = 'asc'] = (orderBy ?? 'id asc').trim().toLowerCase().split(/\s+/)
  const sign = direction === 'desc' ? -1 : 1
  if (field === 'lastupdated') rows.sort((a, b) => sign * (a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id))
  else if (sign === -1) rows.reverse() // the store is in id order already
}

/** Navigable paging links like ConnectWise sends: first/prev/next/last as they apply. */
function linkHeader (base: string, request: FastifyRequest, page: number, last: number): string {
  const url = new URL(request.url, base)
  const at = (n: number) => {
    url.searchParams.set('page', String(n))
    return url.toString()
  }
  const links = [`<${at(1)}>; rel="first"`]
  if (page > 1) links.push(`<${at(Math.min(page - 1, last))}>; rel="prev"`)
  if (page < last) links.push(`<${at(page + 1)}>; rel="next"`)
  links.push(`<${at(last)}>; rel="last"`)
  return links.join(', ')
}
