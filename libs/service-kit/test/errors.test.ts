import t from 'tap'
import Fastify from 'fastify'
import { badRequest, conflict, HttpProblem, notFound, unprocessable, useProblemHandlers } from '../src/index.js'

async function appThrowing (error: Error) {
  const app = Fastify({ logger: false })
  useProblemHandlers(app)
  app.get('/x', async () => { throw error })
  await app.ready()
  return app
}

t.test('an HttpProblem is sent as it is: status, code, detail and headers, 5xx included', async (t) => {
  const app = await appThrowing(new HttpProblem(503, 'NO_AZURE_APP', 'no Azure app configured', { 'retry-after': '30' }))
  const res = await app.inject('/x')
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  t.equal(res.headers['retry-after'], '30')
  t.same(res.json(), {
    type: 'urn:m365:problem:NO_AZURE_APP', title: 'Service Unavailable', status: 503, detail: 'no Azure app configured', instance: '/x', code: 'NO_AZURE_APP'
  })
})

t.test('the constructors: 404, 400 naming the field, 409 and 422 with their codes', async (t) => {
  const cases: Array<[Error, number, string, string]> = [
    [notFound('client 1'), 404, 'NOT_FOUND', 'client 1 does not exist'],
    [badRequest('querystring/cursor is not a cursor this list gave out'), 400, 'VALIDATION_FAILED', 'querystring/cursor is not a cursor this list gave out'],
    [badRequest('body/x is wrong', 'INVALID_PAYLOAD'), 400, 'INVALID_PAYLOAD', 'body/x is wrong'],
    [conflict('VERSION_NOT_READY', 'version 1 is pending'), 409, 'VERSION_NOT_READY', 'version 1 is pending'],
    [unprocessable('REPORT_UNKNOWN_COLUMN', 'column x is not known'), 422, 'REPORT_UNKNOWN_COLUMN', 'column x is not known']
  ]
  for (const [error, status, code, detail] of cases) {
    const res = await (await appThrowing(error)).inject('/x')
    t.equal(res.statusCode, status)
    t.match(res.json(), { status, code, detail })
  }
})

t.test('any other 5xx still says only "see logs"', async (t) => {
  const res = await (await appThrowing(Object.assign(new Error('db password is hunter2'), { statusCode: 503 }))).inject('/x')
  t.equal(res.statusCode, 503)
  t.match(res.json().detail, /^see logs, request /)
})
