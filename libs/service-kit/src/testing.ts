import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { createInProcessBus, createNatsBus, deleteNatsNamespace, type InProcessBus, type NatsBus } from '@m365/bus'

/** `@m365/service-kit/testing`: what every service's tests need around an app (never imported by src). */

/** What the helpers need from a tap `t` (or any test runner with teardown). */
export interface Teardown { teardown(fn: () => unknown): void }

/** NATS_URL, else the local JetStream server the tests run against. */
export const testNatsUrl = (): string => process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

/** Every log line an app writes, raw and parsed: give it to pino as the destination. */
export class LogCapture extends Writable {
  raw = ''
  readonly lines: Array<Record<string, unknown>> = []
  override _write (chunk: Buffer, _encoding: string, callback: () => void): void {
    this.raw += chunk.toString()
    for (const line of chunk.toString().split('\n')) if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>)
    callback()
  }
}

/** Polls until `condition` holds, with a deadline; never a fixed sleep. */
export async function waitFor (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A random bus namespace: `<prefix>_<12 hex>`, so test files never see each other's streams. */
export const testNamespace = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`

/** A real NATS bus on `namespace`, closed and its streams deleted on teardown. */
export async function testNatsBus (t: Teardown, namespace: string): Promise<NatsBus> {
  const url = testNatsUrl()
  const bus = await createNatsBus({ url, namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url, namespace })
  })
  return bus
}

/** An in-process bus, closed on teardown. */
export function testInProcessBus (t: Teardown): InProcessBus {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  return bus
}
