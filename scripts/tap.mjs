// A project's `test` target: tap over its test/**/*.test.ts (run inside the project, where its tap
// config lives), or a clear "no tests" for a project without any yet.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const projectRoot = process.argv[2] ?? '.'
const testDir = join(projectRoot, 'test')
const hasTests = existsSync(testDir) &&
  readdirSync(testDir, { recursive: true }).some((f) => String(f).endsWith('.test.ts'))
if (!hasTests) {
  console.log('# no test files')
  console.log('# { total: 0, pass: 0 }')
  process.exit(0)
}
const result = spawnSync('npx', ['tap', ...process.argv.slice(3)], { stdio: 'inherit', cwd: projectRoot })
process.exit(result.status ?? 1)
