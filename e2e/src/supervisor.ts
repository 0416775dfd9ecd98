import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { appendFileSync, closeSync, openSync } from 'node:fs'
import { tailFile } from './log-tail.js'
import { killWithTestProcess } from './orphans.js'
import type { ReadinessProbe } from './readiness.js'
import { GiveUp, waitFor } from './wait.js'

export interface ProcessSpec {
  /** e.g. `graph-sync-1`: names the log file and every error message */
  name: string
  command: string
  args: string[]
  cwd: string
  env: Record<string, string>
  /** stdout and stderr of every start are appended here */
  logFile: string
  /** what 'ready' means (a service's /readyz answering 200, a port accepting); without it, ready = started */
  ready?: ReadinessProbe
}

/**
 * One OS process the test starts, stops (SIGTERM), kills (SIGKILL) and restarts with the same
 * command, environment and log file. Output goes straight to the file (the child writes to it
 * itself), so a busy or dying test process never loses or blocks a service's log.
 */
export class Supervised {
  #child: ChildProcess | undefined
  #exited: Promise<unknown> = Promise.resolve()
  #starts = 0

  constructor (readonly spec: ProcessSpec) {}

  get name (): string { return this.spec.name }
  get pid (): number | undefined { return this.#child?.pid }
  get running (): boolean { return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null }
  /** how the last run ended: an exit code, a signal name, or undefined while running / never started */
  get exit (): number | string | undefined { return this.#child?.exitCode ?? this.#child?.signalCode ?? undefined }

  /** Spawns the process (it must not be running). Does not wait for readiness: see waitReady. */
  start (): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`)
    this.#starts++
    appendFileSync(this.spec.logFile, `\n----- ${this.name}: start #${this.#starts} at ${new Date().toISOString()} -----\n`)
    const fd = openSync(this.spec.logFile, 'a')
    try {
      this.#child = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', fd, fd] })
    } finally {
      closeSync(fd) // the child holds its own copy
    }
    this.#exited = once(this.#child, 'exit').catch(() => {})
    killWithTestProcess(this.#child)
  }

  /** Polls the readiness probe until it says ready; fails at once (with the log's tail) if the process exits meanwhile. */
  async waitReady (timeoutMs = 60_000): Promise<void> {
    const probe = this.spec.ready
    await waitFor(`${this.name} to be ready${probe ? ` (${probe.what})` : ''}`, async () => {
      if (!this.running) throw new GiveUp(new ExitedError(this.name, this.exit, await this.tail(30)))
      return probe ? await probe.check() : true
    }, timeoutMs).catch(async (err: unknown) => {
      if (err instanceof ExitedError) throw err
      throw new Error(`${(err as Error).message}\n--- last lines of ${this.spec.logFile}:\n${await this.tail(30)}`)
    })
  }

  /** start + waitReady */
  async startReady (timeoutMs?: number): Promise<void> {
    this.start()
    await this.waitReady(timeoutMs)
  }

  /** SIGTERM (a graceful close, as an orchestrator does); SIGKILL after `graceMs` if it is still running. */
  async stop (graceMs = 20_000): Promise<void> {
    if (!this.running) return
    this.#child!.kill('SIGTERM')
    const timer = setTimeout(() => { if (this.running) this.#child!.kill('SIGKILL') }, graceMs)
    try {
      await this.#exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** SIGKILL: the process dies at once, mid-whatever it was doing. */
  async kill (): Promise<void> {
    if (!this.running) return
    this.#child!.kill('SIGKILL')
    await this.#exited
  }

  /** Stops it (SIGTERM, or SIGKILL with `hard`), starts it again with the same spec and waits until ready. */
  async restart (options: { hard?: boolean, timeoutMs?: number } = {}): Promise<void> {
    if (options.hard) await this.kill()
    else await this.stop()
    await this.startReady(options.timeoutMs)
  }

  async tail (lines = 40): Promise<string> {
    return await tailFile(this.spec.logFile, lines)
  }
}

class ExitedError extends Error {
  constructor (name: string, exit: number | string | undefined, tail: string) {
    super(`${name} exited (${String(exit)}) before it was ready\n--- its last lines:\n${tail}`)
  }
}
