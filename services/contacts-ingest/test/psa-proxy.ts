import { createServer, request, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

/**
 * Awaited once the simulator has answered a request, before the answer is relayed: the test can change the PSA or
 * hold the caller in between. A rejection resets the caller's connection instead (a network failure).
 */
export type ProxyHook = (request: IncomingMessage) => Promise<void> | void

/**
 * An HTTP proxy in front of the PSA simulator, so a test can interleave what the PSA does with the requests our code
 * makes (the simulator has no such hooks). Point a connection's baseUrl at the returned URL.
 */
export async function startPsaProxy (t: Test, target: string, hook: ProxyHook): Promise<string> {
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    const forward = request({
      host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }
    }, async (answer) => {
      try {
        await hook(req)
      } catch {
        answer.resume()
        req.socket.destroy()
        return
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => req.socket.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
