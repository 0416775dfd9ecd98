import { join } from 'node:path'
import { httpReady } from './readiness.js'
import type { ProcessSpec } from './supervisor.js'

export const REPO_ROOT = join(import.meta.dirname, '..', '..')

export type ServiceName = 'tenant-auth' | 'graph-sync' | 'contacts-ingest' | 'report' | 'gateway'
export const DATA_SERVICES = ['tenant-auth', 'graph-sync', 'contacts-ingest', 'report'] as const

/** What a container gets from its image, not from the test: the path to node, a home, a temp dir. */
function baseEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name]
    if (value) env[name] = value
  }
  return env
}

/**
 * One service exactly as its container runs it: `node services/<name>/dist/server.js` from the
 * repository root (the build output, which Nx builds before this project's tests), on
 * 127.0.0.1:`port`, configured by `env` alone; ready when its /readyz answers 200.
 */
export function serviceSpec (options: { service: ServiceName, instance?: string, port: number, env: Record<string, string>, logDir: string }): ProcessSpec {
  const name = options.instance ?? options.service
  return {
    name,
    command: process.execPath,
    args: [join('services', options.service, 'dist', 'server.js')],
    cwd: REPO_ROOT,
    env: { ...baseEnv(), SERVICE_NAME: options.service, HOST: '127.0.0.1', PORT: String(options.port), ...options.env },
    logFile: join(options.logDir, `${name}.log`),
    ready: httpReady(`http://127.0.0.1:${options.port}/readyz`)
  }
}
