import { connect } from 'node:net'

export interface ReadinessProbe {
  /** for messages: `GET http://127.0.0.1:4711/readyz` */
  what: string
  /** one look: true when ready (an error counts as not ready) */
  check: () => Promise<boolean>
}

/** Ready when GET `url` answers 200 (a service's /readyz: its database and bus answer). */
export function httpReady (url: string): ReadinessProbe {
  return {
    what: `GET ${url}`,
    async check () {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      await res.body?.cancel()
      return res.status === 200
    }
  }
}

/** Ready when 127.0.0.1:`port` accepts a TCP connection. */
export function tcpReady (port: number): ReadinessProbe {
  return {
    what: `tcp 127.0.0.1:${port}`,
    check: () => new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
  }
}
