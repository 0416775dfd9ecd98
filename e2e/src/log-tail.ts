import { open } from 'node:fs/promises'

/** The last `lines` lines of a (possibly large) log file, or a note when it cannot be read. */
export async function tailFile (file: string, lines = 40, maxBytes = 64 * 1024): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (err) {
    return `(no log at ${file}: ${(err as Error).message})`
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, maxBytes)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    return buffer.toString('utf8').split('\n').filter((line) => line.length > 0).slice(-lines).join('\n')
  } finally {
    await handle.close()
  }
}
