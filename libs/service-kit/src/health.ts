import type { FastifyInstance } from 'fastify'
import { problem, sendProblem } from './errors.js'

export type ReadinessCheck = () => Promise<void>

export interface Readiness {
  /** Adds a dependency /readyz must reach (db and bus are added by service-kit). */
  add(name: string, check: ReadinessCheck): void
}

const CHECK_TIMEOUT_MS = 2_000

/**
 * /healthz: the process answers (liveness; never touches dependencies, so a database outage does
 * not get pods restarted). /readyz: every dependency really answers, else 503 naming what failed.
 */
export function healthRoutes (app: FastifyInstance): Readiness {
  const checks = new Map<string, ReadinessCheck>()
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    const results = await Promise.all([...checks].map(async ([name, check]) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS)
        return { name, error: undefined }
      } catch (err) {
        return { name, error: (err as Error).message || String(err) }
      }
    }))
    const failed = results.filter((result) => result.error !== undefined)
    if (failed.length === 0) return { status: 'ok', checks: Object.fromEntries(results.map(({ name }) => [name, 'ok'])) }
    request.log.warn({ failed }, 'not ready')
    const detail = `not ready: ${failed.map(({ name, error }) => `${name} (${error})`).join(', ')}`
    return sendProblem(reply, problem(503, detail, request, 'NOT_READY'))
  })
  return { add: (name, check) => { checks.set(name, check) } }
}

async function withTimeout (promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  try {
    await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
