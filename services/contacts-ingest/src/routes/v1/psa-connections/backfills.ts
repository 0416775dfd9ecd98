import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BackfillRun } from '@m365/api'
import { getBackfill, requestBackfill } from '../../../backfill/runs.js'
import { Problems, TAGS } from './schemas.js'

const backfills: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/:id/backfill', {
    schema: {
      tags: TAGS,
      summary: 'Pull every contact of the mapped companies from the PSA (202: the run; one at a time per connection)',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      response: { 202: BackfillRun, ...Problems }
    }
  }, async (request, reply) => {
    const run = await requestBackfill(app.db, request.params.id, 'manual')
    app.workers.backfills()
    request.log.info({ connectionId: request.params.id, runId: run.id }, 'backfill requested')
    return reply.code(202).send(run)
  })

  app.get('/:id/backfills/:runId', {
    schema: {
      tags: TAGS,
      summary: 'Progress of a backfill run',
      params: Type.Object({ id: Type.String({ format: 'uuid' }), runId: Type.String({ format: 'uuid' }) }),
      response: { 200: BackfillRun, ...Problems }
    }
  }, async (request) => await getBackfill(app.db, request.params.id, request.params.runId))
}

export default backfills
