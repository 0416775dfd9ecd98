import type { FastifyInstance } from 'fastify'
import { O365SkusReplaced } from '@m365/contracts'
import { handleSkusReplaced } from '../read-model/sync-staging.js'

export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(O365SkusReplaced, { durable: 'report-o365-skus-replaced' }, async (event) => { await handleSkusReplaced(app.db, event) })
}
