// A project's `test` target: tap over test/**/*.test.ts, or a clear "no tests" for a project without any yet.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'

const hasTests = existsSync('test') &&
  readdirSync('test', { recursive: true }).some((f) => String(f).endsWith('.test.ts'))
if (!hasTests) {
  console.log('# no test files')
  console.log('# { total: 0, pass: 0 }')
  process.exit(0)
}
const result = spawnSync('tap', process.argv.slice(2), { stdio: 'inherit' })
process.exit(result.status ?? 1)
