import { readFile } from 'node:fs/promises'
import { Agent, request } from 'undici'
import { DEMO_APP } from '@m365/m365-simulator'
import { launch, type Launched } from './launcher.js'
import { waitFor } from './timing.js'

/** The Microsoft 365 simulator as its own process (its CLI), driven through its HTTP admin API. */
export interface M365Sim {
  url: string
  caPem: string
  caPath: string
  process: Launched
  /** trusts the simulator's CA; for the bench's own requests (floors, admin) */
  dispatcher: Agent
  admin: <T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<T>
  /** a tenant consented for the demo app (the app tenant-auth uses), registration-report throttle off unless given */
  createTenant: (input: Record<string, unknown>) => Promise<string>
  /** an app-only Graph token for the demo app, as tenant-auth would get it */
  token: (tenantId: string) => Promise<{ accessToken: string, expiresOn: string }>
  close: () => Promise<void>
}

export async function startM365Sim (options: { cpuProf?: boolean } = {}): Promise<M365Sim> {
  const proc = launch({
    label: 'm365-simulator',
    script: 'tools/m365-simulator/src/main.ts',
    args: ['--port', '0', '--fixture', 'none'],
    cpuProf: options.cpuProf ?? false
  })
  const { url, caPath } = await waitFor('the Microsoft 365 simulator to listen', () => {
    if (proc.child.exitCode !== null) throw new Error(`m365-simulator exited:\n${proc.output()}`)
    const url = /listening on (https:\/\/\S+)/.exec(proc.output())?.[1]
    const caPath = /CA certificate: (\S+)/.exec(proc.output())?.[1]
    return url && caPath ? { url, caPath } : undefined
  }, { timeoutMs: 60_000 })
  const caPem = await readFile(caPath, 'utf8')
  const dispatcher = new Agent({ connect: { ca: caPem }, connections: 64 })

  const admin = async <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const res = await request(`${url}/_admin${path}`, {
      method,
      dispatcher,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    })
    const text = await res.body.text()
    if (res.statusCode >= 300) throw new Error(`simulator admin ${method} ${path}: ${res.statusCode} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }
  await admin('POST', '/apps', { ...DEMO_APP })

  return {
    url,
    caPem,
    caPath,
    process: proc,
    dispatcher,
    admin,
    async createTenant (input) {
      const { tenantId } = await admin<{ tenantId: string }>('POST', '/tenants', {
        consentedClientIds: [DEMO_APP.clientId], reportThrottle: null, ...input
      })
      return tenantId
    },
    async token (tenantId) {
      const res = await request(`${url}/${tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: DEMO_APP.clientId,
          client_secret: DEMO_APP.clientSecret,
          scope: 'https://graph.microsoft.com/.default'
        }).toString()
      })
      const body = await res.body.json() as { access_token?: string, expires_in?: number, error_description?: string }
      if (!body.access_token) throw new Error(`no token for ${tenantId}: ${body.error_description ?? res.statusCode}`)
      return { accessToken: body.access_token, expiresOn: new Date(Date.now() + (body.expires_in ?? 3599) * 1000).toISOString() }
    },
    async close () {
      await dispatcher.close()
      await proc.stop()
    }
  }
}
