// Copies files a project reads at run time next to its compiled code: tsc emits only .js, so a build target
// runs this after tsc for what lives beside the sources (drizzle migrations: SQL plus meta/*.json).
// usage, from the project folder: node ../../scripts/copy-assets.mjs src/db/migrations dist/db/migrations
import { cpSync, existsSync, rmSync } from 'node:fs'

const [from, to] = process.argv.slice(2)
if (!from || !to) {
  console.error('usage: copy-assets.mjs <from> <to> (paths relative to the working directory)')
  process.exit(2)
}
if (!existsSync(from)) {
  console.error(`copy-assets: ${from} does not exist`)
  process.exit(1)
}
rmSync(to, { recursive: true, force: true }) // a migration removed from src must not linger in dist
cpSync(from, to, { recursive: true })
