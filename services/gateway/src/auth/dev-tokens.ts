import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { mintToken, type LocalSigningKey } from './local-key.js'

/** data/dev-tokens.json: a token for MSP staff and one per client, for trying the API in the single-process mode. */
export interface DevTokens {
  msp: string
  clients: Record<string, string>
}

/** Mints the MSP token and one client token per id (default lifetime 30 days: these are for local use). */
export async function mintDevTokens (key: LocalSigningKey, clientIds: Iterable<string>, options: { ttl?: number | string } = {}): Promise<DevTokens> {
  const ttl = options.ttl ?? '30d'
  const clients: Record<string, string> = {}
  for (const clientId of clientIds) clients[clientId] = await mintToken(key, { role: 'client', clientId, ttl })
  return { msp: await mintToken(key, { role: 'msp', ttl }), clients }
}

/** Replaces `file` in one step (readers never see half a file), readable by the owner only. */
export async function writeDevTokens (file: string, tokens: DevTokens): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(temporary, JSON.stringify({ msp: tokens.msp, clients: tokens.clients }, null, 2) + '\n', { mode: 0o600 })
  await rename(temporary, file)
}
