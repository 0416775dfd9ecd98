import type { FastifyBaseLogger } from 'fastify'

export interface PollLoop {
  /** run a pass now instead of at the next poll */
  wake (): void
  /** stop after the pass in flight */
  stop (): Promise<void>
}

export interface PollLoopOptions {
  name: string
  log: FastifyBaseLogger
  pollMs: number
  /** one pass; true when there is more to do right away */
  pass (): Promise<boolean>
  /** longest wait after failing passes (doubling from pollMs); default 30 s */
  maxBackoffMs?: number
}

/** Runs `pass` until stopped: again at once while it reports more work, else after pollMs or a wake(). */
export function startPollLoop ({ name, log, pollMs, pass, maxBackoffMs = 30_000 }: PollLoopOptions): PollLoop {
  const state = { stopped: false, woken: false }
  let wakeUp: (() => void) | undefined

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done () {
      clearTimeout(timer)
      wakeUp = undefined
      resolve()
    }
    wakeUp = done
  })

  const loop = (async () => {
    let failures = 0
    while (!state.stopped) {
      let more = false
      state.woken = false
      try {
        more = await pass()
        failures = 0
      } catch (err) {
        failures++
        log.warn({ err, loop: name, failures }, 'loop pass failed')
      }
      if (state.stopped) break
      if (more || state.woken) continue
      await pause(failures === 0 ? pollMs : Math.min(pollMs * 2 ** failures, maxBackoffMs))
    }
  })()

  return {
    wake () {
      state.woken = true
      wakeUp?.()
    },
    async stop () {
      state.stopped = true
      wakeUp?.()
      await loop
    }
  }
}
