import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { request } from 'undici'
import { waitFor } from '../helper.js'

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

export interface ServiceProcess {
  url: string
  child: ChildProcess
  /** parsed JSON log lines so far */
  lines: Array<Record<string, unknown>>
  kill (signal: NodeJS.Signals): Promise<void>
}

/** contacts-ingest's server.ts as its own process (as its container runs it), on `port`, ready when /readyz says so. */
export async function startService (t: Test, env: Record<string, string>, port: number): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: serviceDir,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: Array<Record<string, unknown>> = []
  let buffered = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    for (const line of parts) {
      try { lines.push(JSON.parse(line) as Record<string, unknown>) } catch { lines.push({ msg: line }) }
    }
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = once(child, 'exit')
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    await exited
  }
  t.teardown(() => kill('SIGKILL'))
  const url = `http://127.0.0.1:${port}`
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${stderr.slice(-2000)}`)
    try {
      const res = await request(`${url}/readyz`)
      await res.body.dump()
      return res.statusCode === 200
    } catch {
      return false
    }
  }, 'the service to be ready', 60_000)
  return { url, child, lines, kill }
}
