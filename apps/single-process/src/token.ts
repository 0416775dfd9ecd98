// `npm run token -- --role msp|client [--client ID] [--ttl 12h]`: prints a bearer token for the single-process mode.
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureLocalSigningKey, mintToken } from '@m365/gateway'

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'msp' },
    client: { type: 'string' },
    ttl: { type: 'string', default: '12h' },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? './data' }
  }
})
if (values.role !== 'msp' && values.role !== 'client') {
  console.error('--role must be msp or client')
  process.exit(2)
}
if (values.role === 'client' && !values.client) {
  console.error('--role client needs --client <clientId>')
  process.exit(2)
}
try {
  const key = await ensureLocalSigningKey(join(resolve(values['data-dir']), 'jwt-key.json'))
  console.log(await mintToken(key, { role: values.role, clientId: values.client, ttl: values.ttl }))
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}
