import type { ChildProcess } from 'node:child_process'

/**
 * A safety net: children still running when the test process goes away (a tap timeout sends
 * SIGALRM, Ctrl-C sends SIGINT, a crash skips every teardown) are SIGKILLed with it, so no service
 * is left behind holding a port, a database or a NATS consumer.
 */
const live = new Set<ChildProcess>()
let installed = false

const killAll = () => {
  for (const child of live) {
    try { child.kill('SIGKILL') } catch { /* already gone */ }
  }
  live.clear()
}

function install (): void {
  installed = true
  process.on('exit', killAll)
  for (const signal of ['SIGALRM', 'SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll()
      // nobody else handles it (tap does handle SIGALRM): end the way the signal would have
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

/** Kills `child` with the test process if it is still running then. */
export function killWithTestProcess (child: ChildProcess): void {
  if (!installed) install()
  live.add(child)
  child.once('exit', () => live.delete(child))
}
