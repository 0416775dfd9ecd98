import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { O365LicenseItem, O365UserItem, O365UsersQuery, Page, PageQuery } from '@m365/api'
import { notFound } from '@m365/service-kit'
import { assertCanReadClient } from '@m365/service-kit/principal'
import { ClientParams } from './params.js'
import { problems } from './problems.js'

const tags = ['Office 365']
const params = ClientParams

const office365: FastifyPluginAsyncTypebox = async (app) => {
  // The client's current data: its own client only for a client principal, 404 for an unknown client.
  app.addHook('preHandler', async (request) => {
    const { clientId } = request.params as { clientId: string }
    assertCanReadClient(request, clientId)
    if (!await app.clients.get(clientId)) throw notFound(`client ${clientId}`)
  })

  app.get('/clients/:clientId/office365/users', {
    schema: {
      tags,
      summary: "The client's current Office 365 users and org contacts, by name, filtered",
      description: 'Who has not finished MFA setup: ?mfaStatus=Disabled&objectType=user&accountEnabled=true&deleted=false',
      params,
      querystring: O365UsersQuery,
      response: { 200: Page(O365UserItem), ...problems(400, 401, 404) }
    }
  }, async (request) => await app.office365.users(request.params.clientId, request.query))

  app.get('/clients/:clientId/office365/licenses', {
    schema: {
      tags,
      summary: "The client's licenses per SKU: bought, assigned, available, held by disabled or deleted accounts",
      params,
      querystring: PageQuery,
      response: { 200: Page(O365LicenseItem), ...problems(400, 401, 404) }
    }
  }, async (request) => await app.office365.licenses(request.params.clientId, request.query))
}

export default office365
