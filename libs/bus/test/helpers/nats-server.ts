import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './wait.js'

async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

function accepts (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** A private nats-server (own port and store) this test may stop and start; the shared one is never touched. */
export class PrivateNatsServer {
  private process: ChildProcess | undefined

  private constructor (readonly port: number, readonly storeDir: string) {}

  static async start (): Promise<PrivateNatsServer> {
    const server = new PrivateNatsServer(await freePort(), await mkdtemp(join(tmpdir(), 'bus-nats-')))
    await server.start()
    return server
  }

  get url (): string {
    return `nats://127.0.0.1:${this.port}`
  }

  async start (): Promise<void> {
    const bin = process.env.NATS_SERVER_BIN || 'nats-server'
    this.process = spawn(bin, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' })
    await waitFor(() => accepts(this.port), `nats-server on port ${this.port}`)
  }

  async stop (): Promise<void> {
    const p = this.process
    if (!p || p.exitCode !== null) return
    p.kill('SIGTERM')
    await once(p, 'exit')
    this.process = undefined
  }

  /** Stops the server and forgets its JetStream state (streams and consumers gone). */
  async wipe (): Promise<void> {
    await this.stop()
    await rm(this.storeDir, { recursive: true, force: true })
  }

  async dispose (): Promise<void> {
    await this.wipe()
  }
}
