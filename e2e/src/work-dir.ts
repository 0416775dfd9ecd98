import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface TeardownTest { teardown (fn: () => unknown): void, passing (): boolean }

/**
 * A temporary directory for one test (process logs, the gateway's key, a private NATS store):
 * removed when the test passes, kept (and named on stderr) when it fails, so the logs can be read.
 */
export async function workDir (t: TeardownTest, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `m365-e2e-${name}-`))
  t.teardown(async () => {
    if (t.passing()) await rm(dir, { recursive: true, force: true })
    else process.stderr.write(`\n# e2e: logs and state kept in ${dir}\n`)
  })
  return dir
}
