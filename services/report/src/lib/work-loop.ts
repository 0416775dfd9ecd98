import type { FastifyBaseLogger } from 'fastify'

export interface WorkLoop {
  start(): void
  /** Run again now (new work was committed). */
  kick(): void
  /** Stops looking for work and waits for the current round to finish. */
  stop(): Promise<void>
}

/**
 * Runs `work` until it reports nothing left, then waits `intervalMs` or a kick. `work` returns true
 * when there may be more to do right away. Errors are logged and retried on the next round.
 */
export function createWorkLoop (options: {
  name: string
  intervalMs: number
  log: FastifyBaseLogger
  work: () => Promise<boolean>
}): WorkLoop {
  const { name, intervalMs, log, work } = options
  const state = { stopped: false, kicked: false }
  let wake: (() => void) | undefined
  let running: Promise<void> | undefined

  async function idle (): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, intervalMs)
      function done () { clearTimeout(timer); wake = undefined; resolve() }
      wake = done
    })
  }

  async function loop (): Promise<void> {
    while (!state.stopped) {
      state.kicked = false
      let more = false
      try {
        more = await work()
      } catch (err) {
        log.error({ err, loop: name }, 'work loop round failed')
      }
      if (state.stopped) break
      if (!more && !state.kicked) await idle()
    }
  }

  return {
    start () { running ??= loop() },
    kick () { state.kicked = true; wake?.() },
    async stop () {
      state.stopped = true
      wake?.()
      await running
    }
  }
}
