import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from './ports.js'
import { tcpReady } from './readiness.js'
import { Supervised } from './supervisor.js'

/**
 * A private nats-server with JetStream on its own port and store directory, which a test may stop
 * and start (the shared one on 4222 is never touched): `nats-server -a 127.0.0.1 -p <port> -js -sd <dir>`.
 * Restarting keeps the port and the store, so streams, messages and durable consumers survive.
 */
export async function startPrivateNats (dir: string): Promise<{ url: string, server: Supervised }> {
  const port = await freePort()
  const storeDir = join(dir, 'nats-store')
  await mkdir(storeDir, { recursive: true })
  const server = new Supervised({
    name: 'nats-server',
    command: process.env.NATS_SERVER_BIN || '/usr/sbin/nats-server',
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    logFile: join(dir, 'nats-server.log'),
    ready: tcpReady(port)
  })
  await server.startReady(30_000)
  return { url: `nats://127.0.0.1:${port}`, server }
}
