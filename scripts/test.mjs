// `npm test`: make sure Postgres and NATS run, test every project through Nx, then print one
// 'N passed, N failed' line for the whole run (tap's per-project summaries added up).
import { spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ensure = spawnSync('bash', [join(root, 'scripts/ensure-services.sh')], { stdio: 'inherit' })
if (ensure.status !== 0) process.exit(ensure.status ?? 1)

// One type check of every project's sources and tests (tap runs them through tsx, which only strips types): one
// program over the whole tree checks each file once, in seconds, where a tsc per project would check the libs again
// for each. It counts as one test; the suites run either way.
const typecheck = spawnSync('npx', ['tsc', '-p', 'tsconfig.typecheck.json'], { cwd: root, encoding: 'utf8' })
const typeErrors = typecheck.status === 0 ? '' : `${typecheck.stdout}${typecheck.stderr}`.trim() || `tsc exited with ${typecheck.status}`
console.log(typeErrors === '' ? 'typecheck: ok' : `typecheck: failed\n${typeErrors}`)

// Every project runs tap with the same plugin set (tsx instead of ts-node: see docs/development.md). tap builds
// that set into node_modules on first use; built once here, so projects tested in parallel never rebuild it at once.
const built = spawnSync('npx', ['tap', 'build'], { cwd: join(root, 'libs/contracts'), stdio: ['ignore', 'ignore', 'inherit'] })
if (built.status !== 0) {
  console.log('tap build failed\n0 passed, 1 failed')
  process.exit(1)
}

const args = ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', '--skip-nx-cache', ...process.argv.slice(2)]
const child = spawn('npx', args, {
  cwd: root,
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' },
  stdio: ['ignore', 'pipe', 'inherit']
})

let passed = typeErrors === '' ? 1 : 0
let failed = typeErrors === '' ? 0 : 1
let summaries = 0
let buffer = ''
// failing tests, repeated at the end: in a long parallel log they are easy to miss, and CI shows its tail
const failures = []
const following = new Map() // project → lines of a failure's diagnostics still to keep
const FAILURE_CONTEXT_LINES = 20
const MAX_FAILURE_LINES = 200
const summary = /#\s*\{\s*total:\s*(\d+),\s*pass:\s*(\d+)(?:,\s*fail:\s*(\d+))?/
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  buffer += chunk
  const lines = buffer.split('\n')
  buffer = lines.pop() ?? ''
  for (const line of lines) {
    noteFailure(line)
    const m = summary.exec(line)
    if (!m) continue
    summaries++
    passed += Number(m[2])
    failed += Number(m[3] ?? 0)
  }
})
function noteFailure (line) {
  const project = /^([\w@/.-]+):/.exec(line)?.[1]
  if (!project) return
  if (/^[\w@/.-]+:\s*not ok /.test(line)) following.set(project, FAILURE_CONTEXT_LINES + 1)
  const left = following.get(project) ?? 0
  if (left === 0) return
  following.set(project, left - 1)
  if (failures.length < MAX_FAILURE_LINES) failures.push(line)
}

child.on('close', (code) => {
  if (typeErrors !== '') failures.unshift(`typecheck (npx tsc -p tsconfig.typecheck.json):\n${typeErrors.split('\n').slice(0, MAX_FAILURE_LINES).join('\n')}`)
  if (failures.length > 0) console.log(`\nFailures (each with up to ${FAILURE_CONTEXT_LINES} lines that followed it):\n${failures.join('\n')}`)
  // a project that crashed before printing its summary still counts as a failure
  if (code !== 0 && failed === 0) failed = 1
  console.log(`\n${summaries} projects tested`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(typeErrors !== '' && code === 0 ? 1 : code ?? 1)
})
