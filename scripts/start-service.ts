// `npm run start:service -- <name>`: one service alone, exactly as its container runs it (distributed mode).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const services = ['tenant-auth', 'graph-sync', 'contacts-ingest', 'report', 'gateway']
const name = process.argv[2]
if (!name || !services.includes(name)) {
  console.error(`usage: npm run start:service -- <${services.join('|')}>`)
  process.exit(2)
}
const server = join(dirname(fileURLToPath(import.meta.url)), '..', 'services', name, 'src', 'server.ts')
if (!existsSync(server)) {
  console.error(`service ${name} has no src/server.ts yet`)
  process.exit(1)
}
await import(pathToFileURL(server).href)
