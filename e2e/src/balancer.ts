import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'

export interface Balancer {
  /** http://127.0.0.1:<port> */
  url: string
  close (): Promise<void>
}

/**
 * What a Kubernetes Service is to a Deployment's replicas, in a few lines: a TCP port that hands each
 * new connection to the next upstream port in turn, skipping upstreams that refuse (a killed pod),
 * so the gateway keeps reaching graph-sync while one replica is down.
 */
export async function startBalancer (upstreams: number[]): Promise<Balancer> {
  let next = 0
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  }

  const pipeTo = (client: Socket, tries: number) => {
    const port = upstreams[next++ % upstreams.length]!
    const upstream = connect(port, '127.0.0.1')
    track(upstream)
    let connected = false
    upstream.once('connect', () => {
      connected = true
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
      client.pipe(upstream).pipe(client)
      client.resume()
    })
    upstream.once('error', () => {
      if (!connected && tries > 1) pipeTo(client, tries - 1)
      else client.destroy()
    })
  }

  const server = createServer({ pauseOnConnect: true }, (client) => {
    track(client)
    pipeTo(client, upstreams.length)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    async close () {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
