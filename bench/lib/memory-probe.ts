// Runs a script after starting a timer that prints process.memoryUsage() (MiB) to stderr every
// BENCH_PROBE_MS (default 500): `node --import tsx bench/lib/memory-probe.ts services/graph-sync/src/server.ts`.
// A diagnostic for where a service's RSS goes (heap, external buffers, the rest); see bench/README.md.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const target = process.argv[2]
if (!target) throw new Error('usage: memory-probe.ts <script>')
const mb = (n: number) => Math.round(n / 1048576)
const timer = setInterval(() => {
  const m = process.memoryUsage()
  process.stderr.write(`memory-probe ${JSON.stringify({ t: Math.round(performance.now()), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`)
}, Number(process.env.BENCH_PROBE_MS ?? 500))
timer.unref()
process.argv.splice(2, 1)
await import(pathToFileURL(join(process.cwd(), target)).href)
