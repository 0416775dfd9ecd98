import { spawnSync } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fullSync } from './1-full-sync.js'
import { manyTenants } from './2-many-tenants.js'
import { deltaSync } from './3-delta-sync.js'
import { reportVersion } from './4-report-version.js'
import { gateway } from './5-gateway.js'
import { webhooks } from './6-webhooks.js'
import { parseArgs, usage } from './lib/args.js'
import type { Benchmark } from './lib/context.js'
import { createEnvironment } from './lib/environment.js'
import { RESULTS_DIR, ROOT } from './lib/launcher.js'
import type { Measure } from './lib/ratios.js'
import { markdownTable } from './lib/table.js'

const BENCHMARKS: Benchmark[] = [fullSync, manyTenants, deltaSync, reportVersion, gateway, webhooks]

const options = parseArgs(process.argv.slice(2))
if (options.help) {
  console.log(usage())
  process.exit(0)
}
const selected = BENCHMARKS.filter((b) => !options.only || options.only.includes(b.id))
const started = new Date()
const log = (message: string) => console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(1).padStart(6)} s] ${message}`)

if (options.waitQuiet > 0) {
  const deadline = Date.now() + 15 * 60_000
  while (loadavg()[0]! >= options.waitQuiet && Date.now() < deadline) {
    log(`waiting for a quiet machine: 1-minute load average ${loadavg()[0]!.toFixed(2)} (want < ${options.waitQuiet})`)
    await new Promise((resolve) => setTimeout(resolve, 30_000))
  }
}
// the machine's load while each benchmark runs (our own processes count too: a benchmark alone loads it by 2-4)
const loads: number[] = []
const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5_000)
loadTimer.unref()
const loadSummary = (from: number) => {
  const xs = loads.slice(from)
  return xs.length === 0 ? 'n/a' : `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`
}

if (options.fromSource) {
  process.env.BENCH_FROM_SOURCE = '1'
} else {
  // the services run from dist/, as the image runs them: build what changed first (Nx caches the rest)
  log('building the services (npx nx run-many -t build)')
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' }
  })
  if (build.status !== 0) {
    console.error(`${build.stdout}${build.stderr}\nthe build failed: fix it, or run the sources with --from-source`)
    process.exit(1)
  }
}

const env = await createEnvironment({ cpuProf: options.cpuProf, keepDb: options.keepDb })
let interrupted = false
process.once('SIGINT', () => {
  interrupted = true
  log('interrupted: cleaning up')
  env.close().finally(() => process.exit(130))
})
log(`database ${env.databaseName}, NATS namespace ${env.namespace}, simulator ${env.sim.url}${options.quick ? ' (quick)' : ''}`)

const measures: Measure[] = []
const failures: string[] = []
const perBench: string[] = []
try {
  for (const bench of selected) {
    log(`${bench.id}. ${bench.name}`)
    const first = loads.length
    try {
      measures.push(...await bench.run({ env, sizes: options.sizes, quick: options.quick, log }))
      perBench.push(`${bench.id}. ${loadSummary(first)}`)
    } catch (err) {
      if (interrupted) break
      failures.push(`${bench.id}. ${bench.name}: ${(err as Error).stack ?? String(err)}`)
      log(`${bench.id}. ${bench.name} FAILED: ${(err as Error).message}`)
    }
  }
} finally {
  if (!interrupted) await env.close()
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`
const table = markdownTable(measures)
const missed = measures.filter((m) => m.target && !m.target.pass).length
const checked = measures.filter((m) => m.target).length
const text = [
  `Benchmarks of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${options.quick ? ' (--quick: sizes about a tenth)' : ''} on ${machine}; services run from ${options.fromSource ? 'their TypeScript sources (tsx)' : 'dist/ as the image runs them'}.`,
  '',
  table,
  '',
  `${checked - missed} of ${checked} targets met. 1-minute load average while each benchmark ran: ${perBench.join(', ')} (${cpus().length} CPUs).`,
  ...(failures.length ? ['', 'Failed benchmarks:', ...failures.map((f) => `- ${f.split('\n')[0]}`)] : [])
].join('\n')
console.log(`\n${text}\n`)
await mkdir(RESULTS_DIR, { recursive: true })
await writeFile(join(RESULTS_DIR, 'latest.md'), text + '\n')
if (failures.length) {
  for (const f of failures) console.error(f)
  process.exitCode = 1
}
