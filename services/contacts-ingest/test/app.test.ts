import t from 'tap'
import { build } from './helper.js'

t.test('the app starts, migrates and answers health checks', async (t) => {
  const h = await build(t)
  const health = await h.app.inject({ url: '/healthz' })
  t.equal(health.statusCode, 200)
  const ready = await h.app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200)
  const openapi = await h.app.inject({ url: '/openapi.json' })
  const paths = Object.keys(openapi.json().paths)
  t.ok(paths.includes('/v1/psa-connections'), 'connections are documented')
  t.ok(paths.some((p) => p.startsWith('/webhooks/')), 'the webhook route is documented')
})
