import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The single-process mode has no secret store: the credentials key is generated once and kept
 * beside the embedded database (mode 0600), so stored credentials survive restarts.
 */
export async function ensureEncryptionKey (dataDir: string): Promise<string> {
  const file = join(dataDir, 'encryption.key')
  try {
    const key = (await readFile(file, 'utf8')).trim()
    if (/^[0-9a-f]{64}$/i.test(key)) return key
    throw new Error(`${file} does not hold a 64-hex-character key; remove it to generate a new one`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dataDir, { recursive: true })
  const key = randomBytes(32).toString('hex')
  await writeFile(file, key + '\n', { mode: 0o600, flag: 'wx' })
  return key
}
