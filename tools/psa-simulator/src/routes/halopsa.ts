import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { toHaloUser } from '../shapes/halopsa.js'
import type { SimState } from '../state.js'

interface UsersQuery {
  pageinate?: string
  page_size?: string
  page_no?: string
  client_id?: string
  site_id?: string
  search?: string
  includeactive?: string
  includeinactive?: string
}

/** HaloPSA: OAuth2 client credentials at /auth/token and the Users API (a PSA contact is a Halo "User"). */
export function haloRoutes (state: SimState) {
  return async function (app: FastifyInstance) {
    const { credentials, store } = state

    app.post<{ Body: Record<string, string> | undefined, Querystring: { tenant?: string } }>('/auth/token', async (request, reply) => {
      const body = request.body ?? {}
      const halo = credentials.halopsa
      if (halo.tenant !== undefined && request.query.tenant !== halo.tenant) {
        return await reply.code(400).send({ error: 'invalid_request', error_description: 'unknown tenant' })
      }
      if (body.grant_type !== 'client_credentials') return await reply.code(400).send({ error: 'unsupported_grant_type' })
      if (body.client_id !== halo.clientId || body.client_secret !== halo.clientSecret) {
        return await reply.code(401).send({ error: 'invalid_client' })
      }
      const token = randomBytes(24).toString('base64url')
      state.haloTokens.set(token, Date.now() + state.haloTokenTtlSeconds * 1000)
      return { access_token: token, token_type: 'Bearer', expires_in: state.haloTokenTtlSeconds, scope: body.scope ?? 'all' }
    })

    app.register(async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
        const expires = token === undefined ? undefined : state.haloTokens.get(token)
        if (expires === undefined || expires <= Date.now()) await reply.code(401).send({ error: 'invalid_token' })
      })

      api.get<{ Querystring: UsersQuery }>('/Users', async (request) => {
        const q = request.query
        const clientId = q.client_id === undefined ? undefined : Number(q.client_id)
        const siteId = q.site_id === undefined ? undefined : Number(q.site_id)
        const search = q.search?.toLowerCase()
        const includeActive = q.includeactive !== 'false'
        const includeInactive = q.includeinactive === 'true'
        const users = [...store.contacts.values()].filter((c) =>
          (c.active ? includeActive : includeInactive) &&
          (clientId === undefined || c.company.id === clientId) &&
          (siteId === undefined || c.company.id === siteId) &&
          (search === undefined || `${c.firstName} ${c.lastName} ${c.emails.join(' ')}`.toLowerCase().includes(search)))
        if (q.pageinate !== 'true') return { record_count: users.length, users: users.map(toHaloUser) }
        const pageSize = Math.min(Math.max(1, Number(q.page_size ?? 50) || 50), state.haloMaxPageSize ?? Infinity)
        const pageNo = Math.max(1, Number(q.page_no ?? 1) || 1)
        return {
          page_no: pageNo,
          page_size: pageSize,
          record_count: users.length,
          users: users.slice((pageNo - 1) * pageSize, pageNo * pageSize).map(toHaloUser)
        }
      })

      api.get<{ Params: { id: string } }>('/Users/:id', async (request, reply) => {
        const contact = store.contacts.get(Number(request.params.id))
        if (!contact) return await reply.code(404).send('User not found')
        return toHaloUser(contact)
      })
    }, { prefix: '/api' })
  }
}
