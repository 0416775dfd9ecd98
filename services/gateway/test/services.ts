import type { TObject } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'

export type ServiceName = 'report' | 'tenant-auth' | 'graph-sync' | 'contacts-ingest'

export interface ServiceModule {
  name: ServiceName
  plugin: FastifyPluginAsync<never>
  configSchema: TObject
}

const CONFIG_EXPORT: Record<ServiceName, string> = {
  report: 'ReportConfig',
  'tenant-auth': 'TenantAuthConfig',
  'graph-sync': 'GraphSyncConfig',
  'contacts-ingest': 'ContactsIngestConfig'
}

/** Each upstream service's app plugin, or why it cannot be used yet (the tests that need it are skipped, saying so). */
async function probe (name: ServiceName): Promise<ServiceModule | string> {
  let module: Record<string, unknown>
  try {
    module = await import(`@m365/${name}`) as Record<string, unknown>
  } catch (err) {
    return `@m365/${name} cannot be loaded: ${(err as Error).message.split('\n')[0]}`
  }
  const plugin = module.default
  const configSchema = module[CONFIG_EXPORT[name]] as TObject | undefined
  if (typeof plugin !== 'function') return `@m365/${name} does not export its app plugin (default) yet`
  if (!configSchema || typeof configSchema !== 'object') return `@m365/${name} does not export ${CONFIG_EXPORT[name]} yet`
  return { name, plugin: plugin as FastifyPluginAsync<never>, configSchema }
}

const names: ServiceName[] = ['report', 'tenant-auth', 'graph-sync', 'contacts-ingest']
const probed = new Map(await Promise.all(names.map(async (name) => [name, await probe(name)] as const)))

export function serviceModule (name: ServiceName): ServiceModule {
  const found = probed.get(name)
  if (!found || typeof found === 'string') throw new Error(found ?? `unknown service ${name}`)
  return found
}

/** For `t.test(name, { skip: unlessServices(…) }, …)`: false when every service is there, else the reason to skip. */
export function unlessServices (...needed: ServiceName[]): false | string {
  const missing = needed.map((name) => probed.get(name)).filter((found): found is string => typeof found === 'string')
  return missing.length === 0 ? false : `needs ${needed.join(', ')}: ${missing.join('; ')}`
}
