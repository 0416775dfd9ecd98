import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { request } from 'undici'
import { deployedNodeOptions } from './deployment.js'
import { waitFor } from './timing.js'

export const ROOT = join(import.meta.dirname, '..', '..')
export const RESULTS_DIR = join(ROOT, 'bench', 'results')

/** A port nobody listens on right now (the OS picks it). */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  server.close()
  await once(server, 'close')
  return port
}

export interface LaunchOptions {
  /** log file name (bench/results/logs/<label>.log) and what errors call it */
  label: string
  /** a TypeScript or JavaScript file, relative to the repository root */
  script: string
  args?: string[]
  env?: Record<string, string>
  /** `--cpu-prof` into bench/results/profiles (written when the process exits cleanly) */
  cpuProf?: boolean
  nodeArgs?: string[]
}

export interface Launched {
  label: string
  child: ChildProcess
  pid: number
  /** everything the process printed so far (stdout and stderr, bench/results/logs/<label>.log) */
  output: () => string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited */
  stop: (graceMs?: number) => Promise<void>
}

/** A Node process running a file of the repository: a .ts file through tsx (as `npm run start:service`), a .js file with plain node (as the image). */
export function launch (options: LaunchOptions): Launched {
  const logs = join(RESULTS_DIR, 'logs')
  mkdirSync(logs, { recursive: true })
  const typescript = options.script.endsWith('.ts') ? ['--conditions=@m365/source', '--import', 'tsx'] : []
  const nodeArgs = [...typescript, ...(options.nodeArgs ?? [])]
  if (options.cpuProf) {
    // one directory per process: the tsx loader thread writes a profile of its own next to the main thread's
    const dir = join(RESULTS_DIR, 'profiles', options.label)
    mkdirSync(dir, { recursive: true })
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', dir)
  }
  // the log file is the child's stdout and stderr itself: a busy service's request log never passes through the bench
  const file = join(logs, `${options.label}.log`)
  const fd = openSync(file, 'w')
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, options.script), ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', fd, fd]
  })
  closeSync(fd)
  const exited = once(child, 'exit')
  return {
    label: options.label,
    child,
    pid: child.pid!,
    output: () => readFileSync(file, 'utf8'),
    async stop (graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}

export interface Service extends Launched {
  name: string
  url: string
}

/**
 * One service as its own process on a free loopback port, as its container runs it: the built
 * services/<name>/dist/server.js with the NODE_OPTIONS its Kubernetes Deployment sets (or src/server.ts
 * through tsx with BENCH_FROM_SOURCE=1); resolves once /readyz answers 200. Env is the service's whole configuration.
 */
export async function startService (name: string, env: Record<string, string>, options: { label?: string, cpuProf?: boolean } = {}): Promise<Service> {
  const port = await freePort()
  const label = options.label ?? name
  const server = process.env.BENCH_FROM_SOURCE === '1' ? `services/${name}/src/server.ts` : `services/${name}/dist/server.js`
  const probe = process.env.BENCH_MEMORY_PROBE === '1'
  const nodeOptions = process.env[`BENCH_NODE_OPTIONS_${name.toUpperCase().replaceAll('-', '_')}`] ?? deployedNodeOptions(name)
  const launched = launch({
    label,
    script: probe ? 'bench/lib/memory-probe.ts' : server,
    args: probe ? [server] : [],
    env: {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      SERVICE_NAME: name,
      // e.g. BENCH_NODE_OPTIONS_GRAPH_SYNC='--max-old-space-size=96' to try heap settings on one service
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {})
    },
    cpuProf: options.cpuProf ?? false
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(`${label} to be ready`, async () => {
      if (launched.child.exitCode !== null) throw new Error(`${label} exited with ${launched.child.exitCode}:\n${launched.output().slice(-2000)}`)
      try {
        const res = await request(`${url}/readyz`)
        await res.body.dump()
        return res.statusCode === 200
      } catch {
        return false
      }
    }, { timeoutMs: 60_000, intervalMs: 100 })
  } catch (err) {
    await launched.stop(1000)
    throw err
  }
  return { ...launched, name, url }
}

/** bench/lib/bare-server.ts (a floor) as its own process; resolves with its URL once it listens. */
export async function startBareServer (label: string, env: Record<string, string>): Promise<Launched & { url: string }> {
  const launched = launch({ label, script: 'bench/lib/bare-server.ts', env })
  const port = await waitFor(`${label} to listen`, () => {
    if (launched.child.exitCode !== null) throw new Error(`${label} exited:\n${launched.output()}`)
    return /bare-server listening on (\d+)/.exec(launched.output())?.[1]
  }, { timeoutMs: 30_000 })
  return { ...launched, url: `http://127.0.0.1:${port}` }
}
