import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

export interface KeyServer {
  origin: string
  /** requests received */
  hits: () => number
  keyUrl: (id?: string) => string
  /** what GET answers: a signing key, a redirect, an oversized body or a status */
  answer: (handler: (res: ServerResponse) => void) => void
  setKey: (key: string) => void
}

/** A stand-in for ConnectWise's callbackkey endpoint that counts every request it gets. */
export async function startKeyServer (t: Test, signingKey: string): Promise<KeyServer> {
  let hits = 0
  let key = signingKey
  let handler: ((res: ServerResponse) => void) | undefined
  const server = createServer((req, res) => {
    hits++
    if (handler) return handler(res)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signing_key: key }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    hits: () => hits,
    keyUrl: (id = 'abc') => `${origin}/v4_6_release/system/callbackkey/index.rails?id=${id}`,
    answer: (h) => { handler = h },
    setKey: (k) => { key = k }
  }
}

/** A ConnectWise callback body pointing at `keyUrl`. */
export function callbackBody (keyUrl: string, id = 4711): Buffer {
  return Buffer.from(JSON.stringify({
    Action: 'updated', Type: 'contact', ID: id, Entity: JSON.stringify({ id }), Metadata: { key_url: keyUrl }
  }))
}
