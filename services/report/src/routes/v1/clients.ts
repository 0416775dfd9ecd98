import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Client, ClientCreate, ClientPatch, Page, PageQuery } from '@m365/api'
import { notFound } from '@m365/service-kit'
import { assertCanReadClient, assertMsp, clientScope } from '@m365/service-kit/principal'
import { ClientParams } from './params.js'
import { problems } from './problems.js'

const tags = ['Clients']
const params = ClientParams

const clients: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/clients', {
    schema: { tags, summary: 'Create a client (announces ClientCreated)', body: ClientCreate, response: { 201: Client, ...problems(400, 401, 403) } }
  }, async (request, reply) => {
    assertMsp(request)
    return reply.code(201).send(await app.clients.create(request.body.name))
  })

  app.get('/clients', {
    schema: { tags, summary: 'List clients by name (a client principal: its own)', querystring: PageQuery, response: { 200: Page(Client), ...problems(400, 401) } }
  }, async (request) => await app.clients.list(request.query, clientScope(request.principal)))

  app.get('/clients/:clientId', {
    schema: { tags, summary: 'Get a client with its tenants and PSA companies', params, response: { 200: Client, ...problems(400, 401, 404) } }
  }, async (request) => {
    const { clientId } = request.params
    assertCanReadClient(request, clientId)
    const client = await app.clients.get(clientId)
    if (!client) throw notFound(`client ${clientId}`)
    return client
  })

  app.patch('/clients/:clientId', {
    schema: { tags, summary: 'Rename a client', params, body: ClientPatch, response: { 200: Client, ...problems(400, 401, 403, 404) } }
  }, async (request) => {
    assertMsp(request)
    const { clientId } = request.params
    const client = request.body.name === undefined ? await app.clients.get(clientId) : await app.clients.rename(clientId, request.body.name)
    if (!client) throw notFound(`client ${clientId}`)
    return client
  })

  app.delete('/clients/:clientId', {
    schema: {
      tags,
      summary: 'Delete a client with its reports, versions and O365/contact data (announces ClientDeleted)',
      params,
      response: { 204: Type.Null(), ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    assertMsp(request)
    if (!await app.clients.delete(request.params.clientId)) throw notFound(`client ${request.params.clientId}`)
    return reply.code(204).send(null)
  })
}

export default clients
