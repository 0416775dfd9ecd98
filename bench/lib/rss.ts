import { readFile } from 'node:fs/promises'

/** VmRSS and VmHWM (peak resident set since the process started) of a Linux process, in MiB. */
export async function readRss (pid: number): Promise<{ rssMb: number, hwmMb: number } | undefined> {
  let status: string
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8')
  } catch {
    return undefined // gone
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 }
}

export interface RssSample { atMs: number, rssMb: number }

/**
 * Samples a process's RSS every `intervalMs` while it runs; `stop()` returns the samples and the peak.
 * The peak is the kernel's VmHWM, so a spike between two samples still counts.
 */
export class RssSampler {
  readonly samples: RssSample[] = []
  #timer: NodeJS.Timeout | undefined
  #hwmMb = 0
  readonly #start = Date.now()

  constructor (private readonly pid: number, intervalMs = 250) {
    this.#timer = setInterval(() => { this.#sample().catch(() => {}) }, intervalMs)
    this.#timer.unref()
  }

  async #sample (): Promise<void> {
    const r = await readRss(this.pid)
    if (!r) return
    this.samples.push({ atMs: Date.now() - this.#start, rssMb: r.rssMb })
    this.#hwmMb = Math.max(this.#hwmMb, r.hwmMb)
  }

  /** Stops sampling; call before the process exits (VmHWM is read one last time). */
  async stop (): Promise<{ peakMb: number, lastMb: number, samples: RssSample[] }> {
    clearInterval(this.#timer)
    await this.#sample()
    return { peakMb: this.#hwmMb, lastMb: this.samples.at(-1)?.rssMb ?? 0, samples: this.samples }
  }
}
