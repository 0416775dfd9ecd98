import type { FastifyInstance } from 'fastify'
import type { SimulatorState } from '../state.js'
import batchRoutes from './batch.js'
import { graphHooks } from './context.js'
import deltaRoutes from './delta.js'
import directoryRoutes from './directory.js'
import policyRoutes from './policies.js'
import reportRoutes from './reports.js'
import userRoutes from './users.js'

/** Microsoft Graph under /v1.0 and /beta (register once per version, with that prefix). */
export default async function graphRoutes (app: FastifyInstance, { state, beta }: { state: SimulatorState, beta: boolean }) {
  graphHooks(app, state)
  await app.register(userRoutes)
  await app.register(deltaRoutes, { now: state.now })
  await app.register(reportRoutes)
  await app.register(directoryRoutes)
  await app.register(policyRoutes, { beta })
  await app.register(batchRoutes)
}
