import type { FastifyInstance } from 'fastify'
import { O365UsersRemoved } from '@m365/contracts'
import { BATCH_CONCURRENCY, handleUsersBatch } from '../read-model/sync-staging.js'
import type { SyncApply } from './sync-applied.js'

export default async function (app: FastifyInstance, apply: SyncApply): Promise<void> {
  await app.consume(O365UsersRemoved, { durable: 'report-o365-users-removed', concurrency: BATCH_CONCURRENCY }, async (event, context) => {
    apply.noted(await handleUsersBatch(app.db, 'removed', event, apply), event.data, context)
  })
}
