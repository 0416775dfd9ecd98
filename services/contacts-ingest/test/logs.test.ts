import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildAutotaskWebhook, buildConnectWiseWebhook, buildHaloWebhook, sendWebhooks } from '@m365/psa-simulator'
import { build, createConnection, ENCRYPTION_KEY, headersFor, putMapping, simulatorConnection, startSimulator, waitFor } from './helper.js'
import { listen, settled } from './webhooks/helpers.js'

t.test('no credential, webhook secret, signing key or encryption key ever reaches the log', async (t) => {
  const marker = (name: string) => `${name}-${randomUUID()}`
  const secrets = {
    cwPrivate: marker('cw-private'),
    cwPublic: marker('cw-public'),
    atSecret: marker('at-api-secret'),
    atCode: marker('at-code'),
    haloSecret: marker('halo-client-secret'),
    atWebhook: marker('at-webhook'),
    haloWebhook: marker('halo-webhook'),
    signingKey: marker('cw-signing')
  }
  const sim = await startSimulator(t, {
    signingKey: secrets.signingKey,
    credentials: {
      connectwise: { privateKey: secrets.cwPrivate, publicKey: secrets.cwPublic },
      autotask: { secret: secrets.atSecret, integrationCode: secrets.atCode },
      halopsa: { clientSecret: secrets.haloSecret }
    }
  })
  const h = await build(t, { bus: 'in-process', env: { LOG_LEVEL: 'trace', CONNECTWISE_KEY_HOSTS: sim.url, BACKFILL_PAGE_SIZE: '5' } })
  const base = await listen(t, h)
  const { companies: [company] } = sim.admin.generate({ seed: 2, companies: 1, contacts: 8 })
  const contact = sim.admin.listContacts()[0]!
  const clientId = randomUUID()
  const at = await createConnection(h.app, simulatorConnection(sim, 'autotask', { webhookSecret: secrets.atWebhook }))
  const cw = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  const halo = await createConnection(h.app, simulatorConnection(sim, 'halopsa', { webhookSecret: secrets.haloWebhook }))
  for (const conn of [at, cw, halo]) await putMapping(h.app, conn.id, [{ companyExternalId: String(company!.id), clientId }])

  const rotated = await h.app.inject({ method: 'POST', url: `/v1/psa-connections/${at.id}/secret/rotate`, headers: headersFor(), payload: {} })
  const generated = rotated.json().webhookSecret as string
  await h.app.inject({
    method: 'PATCH',
    url: `/v1/psa-connections/${at.id}`,
    headers: headersFor(),
    payload: { credentials: { integrationCode: secrets.atCode, username: sim.credentials.autotask.username, secret: secrets.atSecret } }
  })

  const guid = randomUUID()
  await sendWebhooks({ psa: 'autotask', secret: secrets.atWebhook, targetUrl: `${base}/webhooks/autotask/${at.id}`, events: [buildAutotaskWebhook(contact, { action: 'Create', guid })], retries: { attempts: 1 } })
  await sendWebhooks({ psa: 'autotask', secret: generated, targetUrl: `${base}/webhooks/autotask/${at.id}`, events: [buildAutotaskWebhook(contact, { action: 'Update', guid })], retries: { attempts: 1 } })
  await sendWebhooks({ psa: 'autotask', secret: 'a-wrong-secret', targetUrl: `${base}/webhooks/autotask/${at.id}`, events: [buildAutotaskWebhook(contact, { action: 'Update', guid })], retries: { attempts: 1 } })
  await sendWebhooks({ psa: 'connectwise', signingKey: secrets.signingKey, targetUrl: `${base}/webhooks/connectwise/${cw.id}`, events: [buildConnectWiseWebhook(contact, { action: 'updated', keyUrl: sim.keyUrl(), variant: 'no-email' })], retries: { attempts: 1 } })
  const basic = { username: 'psa-webhook', password: secrets.haloWebhook }
  await sendWebhooks({ psa: 'halopsa', basic, targetUrl: `${base}/webhooks/halopsa/${halo.id}`, events: [buildHaloWebhook(contact, { action: 'update' })], retries: { attempts: 1 } })
  await sendWebhooks({ psa: 'halopsa', basic: { ...basic, password: `${secrets.haloWebhook}x` }, targetUrl: `${base}/webhooks/halopsa/${halo.id}`, events: [buildHaloWebhook(contact, { action: 'update' })], retries: { attempts: 1 } })
  await settled(h)
  for (const conn of [at, cw, halo]) {
    const run = await h.app.inject({ method: 'POST', url: `/v1/psa-connections/${conn.id}/backfill`, headers: headersFor() })
    const runId = run.json().id as string
    await waitFor(async () => ['completed', 'failed'].includes((await h.app.inject({ url: `/v1/psa-connections/${conn.id}/backfills/${runId}`, headers: headersFor() })).json().status), 'backfill')
  }
  // a failing PSA: the worker logs the error it got
  await sim.admin.setDown(true)
  await sendWebhooks({ psa: 'autotask', secret: generated, targetUrl: `${base}/webhooks/autotask/${at.id}`, events: [buildAutotaskWebhook(contact, { action: 'Create', guid: randomUUID() })], retries: { attempts: 1 } })
  await waitFor(() => h.logs.lines.some((l) => l.msg === 'delivery processing failed, will retry'), 'a logged PSA failure')
  await sim.admin.setDown(false)

  t.ok(h.logs.lines.length > 50, `plenty was logged (${h.logs.lines.length} lines)`)
  t.ok(h.logs.lines.some((l) => l.msg === 'webhook accepted'))
  t.ok(h.logs.lines.some((l) => l.msg === 'webhook rejected'))
  const halosBasic = Buffer.from(`${basic.username}:${basic.password}`).toString('base64')
  for (const [name, value] of Object.entries({ ...secrets, generated, halosBasic, ENCRYPTION_KEY })) {
    t.notOk(h.logs.raw.includes(value), `${name} is not in the log`)
  }
})
