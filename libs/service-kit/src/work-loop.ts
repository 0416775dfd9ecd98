import type { FastifyBaseLogger } from 'fastify'

export interface WorkLoop {
  /** Starts the loop (once; later calls do nothing). Returns the loop, so `createWorkLoop(…).start()` reads well. */
  start (): WorkLoop
  /** Runs a pass now instead of at the next interval (new work was committed). */
  wake (): void
  /** Stops looking for work; resolves when the pass in flight has finished. */
  stop (): Promise<void>
}

export interface WorkLoopOptions {
  /** in logs: `{ loop: name }` */
  name: string
  log: FastifyBaseLogger
  /** the wait after a pass that found nothing more to do */
  intervalMs: number
  /** One pass; true when there may be more to do right away. A throw is logged and retried with backoff. */
  work (): Promise<boolean>
  /** the longest wait after failing passes (the interval doubles per failure up to this); default 30 s */
  maxBackoffMs?: number
  /** the first pass comes one interval (or a wake()) after start, not at once */
  firstPassAfterInterval?: boolean
}

/**
 * A background loop: runs `work` again at once while it reports more, else after `intervalMs` or a
 * wake(). A pass that throws is logged; the next waits twice as long per failure in a row (the database
 * or bus is down: no hot loop), up to `maxBackoffMs`.
 */
export function createWorkLoop ({ name, log, intervalMs, work, maxBackoffMs = 30_000, firstPassAfterInterval = false }: WorkLoopOptions): WorkLoop {
  const state = { stopped: false, woken: false }
  let wakeUp: (() => void) | undefined
  let running: Promise<void> | undefined

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done () {
      clearTimeout(timer)
      wakeUp = undefined
      resolve()
    }
    wakeUp = done
  })

  async function loop (): Promise<void> {
    let failures = 0
    if (firstPassAfterInterval) await pause(intervalMs)
    while (!state.stopped) {
      let more = false
      state.woken = false
      try {
        more = await work()
        failures = 0
      } catch (err) {
        failures++
        log.warn({ err, loop: name, failures }, 'work loop pass failed')
      }
      if (state.stopped) break
      if (failures === 0 && (more || state.woken)) continue
      await pause(failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** failures, maxBackoffMs))
    }
  }

  const workLoop: WorkLoop = {
    start () {
      if (!state.stopped) running ??= loop()
      return workLoop
    },
    wake () {
      state.woken = true
      wakeUp?.()
    },
    async stop () {
      state.stopped = true
      wakeUp?.()
      await running
    }
  }
  return workLoop
}
