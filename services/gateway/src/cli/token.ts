// `npm run token -- --role msp|client [--client <clientId>] [--sub <name>] [--ttl 12h] [--key-file <file>]`:
// prints a bearer token the single-process gateway accepts (signed with its local key, created when missing).
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureLocalSigningKey, mintToken } from '../auth/local-key.js'

const USAGE = 'usage: npm run token -- --role msp|client [--client <clientId>] [--sub <name>] [--ttl 12h] [--key-file data/jwt-key.json]'

function fail (message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`)
  process.exit(2)
}

let values: { role?: string, client?: string, sub?: string, ttl?: string, 'key-file'?: string, help?: boolean }
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      client: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      'key-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  }))
} catch (err) {
  fail((err as Error).message)
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
const { role } = values
if (role !== 'msp' && role !== 'client') fail('--role must be msp or client')
if (role === 'client' && !values.client) fail('--client <clientId> is required with --role client')
if (role === 'msp' && values.client) fail('--client goes with --role client only')
const ttl = values.ttl === undefined ? undefined : /^\d+$/.test(values.ttl) ? Number(values.ttl) : values.ttl

const keyFile = values['key-file'] ?? process.env.JWT_LOCAL_KEY_FILE ?? join(process.env.DATA_DIR ?? './data', 'jwt-key.json')
try {
  const key = await ensureLocalSigningKey(keyFile)
  const token = await mintToken(key, {
    role, ...(values.client && { clientId: values.client }), ...(values.sub && { sub: values.sub }), ...(ttl !== undefined && { ttl })
  })
  process.stdout.write(`${token}\n`)
} catch (err) {
  fail((err as Error).message)
}
