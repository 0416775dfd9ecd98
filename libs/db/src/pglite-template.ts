import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Tests only. A new PGlite cluster runs initdb in WebAssembly (1.3–2 s of CPU each time, and several
 * times that when the suite keeps both CPUs busy); loading a dump of an empty cluster takes a fifth of it.
 * The dump is made once per installed PGlite version and kept in node_modules/.cache.
 */
export function emptyClusterDump (): Promise<Blob> {
  if (!dump) {
    dump = readOrMakeDump()
    dump.catch(() => { dump = undefined }) // a failed attempt is not kept: the next caller tries again
  }
  return dump
}

let dump: Promise<Blob> | undefined

async function readOrMakeDump (): Promise<Blob> {
  const file = await dumpFile()
  const kept = await readFile(file).catch(() => undefined)
  if (kept) return new Blob([kept])
  const { PGlite } = await import('@electric-sql/pglite')
  const pglite = await PGlite.create()
  const made = await pglite.dumpDataDir('none')
  await pglite.close()
  await mkdir(dirname(file), { recursive: true })
  // written aside and renamed into place, so a process starting next to this one never reads half of it
  const partial = `${file}.${process.pid}`
  await writeFile(partial, Buffer.from(await made.arrayBuffer()))
  await rename(partial, file).catch(async (err: unknown) => {
    await rm(partial, { force: true })
    throw err
  })
  return made
}

async function dumpFile (): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'))
  const nodeModules = entry.slice(0, entry.lastIndexOf(`${sep}node_modules${sep}`) + `${sep}node_modules`.length)
  const manifest = JSON.parse(await readFile(join(nodeModules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }
  return join(nodeModules, '.cache', 'm365', `pglite-${manifest.version}-empty.tar`)
}
