import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Page, PageQuery, PsaConnection, PsaConnectionCreate, PsaConnectionPatch } from '@m365/api'
import { ConnectionParams, Problems, TAGS } from './schemas.js'

const connections: FastifyPluginAsyncTypebox = async (app) => {
  const repo = app.connections

  app.post('', {
    schema: {
      tags: TAGS,
      summary: 'Register a PSA connection (credentials and webhook secret are write-only)',
      body: PsaConnectionCreate,
      response: { 201: PsaConnection, ...Problems }
    }
  }, async (request, reply) => {
    const connection = await repo.create(request.body)
    request.log.info({ connectionId: connection.id, psa: connection.psa }, 'PSA connection created')
    return reply.code(201).send(connection)
  })

  app.get('', {
    schema: { tags: TAGS, summary: 'List PSA connections, oldest first', querystring: PageQuery, response: { 200: Page(PsaConnection), ...Problems } }
  }, async (request) => await repo.list(request.query))

  app.get('/:id', {
    schema: { tags: TAGS, summary: 'Get a PSA connection', params: ConnectionParams, response: { 200: PsaConnection, ...Problems } }
  }, async (request) => await repo.get(request.params.id))

  app.patch('/:id', {
    schema: {
      tags: TAGS,
      summary: 'Change a PSA connection (credentials are replaced as a whole; the webhook secret changes only by rotation)',
      params: ConnectionParams,
      body: PsaConnectionPatch,
      response: { 200: PsaConnection, ...Problems }
    }
  }, async (request) => {
    const connection = await repo.patch(request.params.id, request.body)
    request.log.info({ connectionId: connection.id, fields: Object.keys(request.body) }, 'PSA connection changed')
    return connection
  })

  app.delete('/:id', {
    schema: {
      tags: TAGS,
      summary: 'Delete a PSA connection with its contacts (consumers get ContactsDeleted for each)',
      params: ConnectionParams,
      response: { 204: Type.Null(), ...Problems }
    }
  }, async (request, reply) => {
    await repo.remove(request.params.id)
    app.outbox.wake()
    request.log.info({ connectionId: request.params.id }, 'PSA connection deleted')
    return reply.code(204).send(null)
  })
}

export default connections
