// Summarises .cpuprofile files (node --cpu-prof): self time by function and by package/file.
// node --import tsx bench/profile-summary.ts bench/results/profiles/graph-sync-*.cpuprofile [--top 25]
import { readFile } from 'node:fs/promises'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

const args = process.argv.slice(2)
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25
const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1))

function where (url: string): string {
  if (!url) return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const m = /\/work\/main\/(.*)$/.exec(url.replace('file://', ''))
  return m ? m[1]! : url.replace('file://', '').replace(/^node:/, 'node:')
}

for (const file of files) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const total = (profile.endTime - profile.startTime) / 1000
  const byFunction = new Map<string, number>()
  const byWhere = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const f = `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
    byFunction.set(f, (byFunction.get(f) ?? 0) + us)
    const w = n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName
    byWhere.set(w, (byWhere.get(w) ?? 0) + us)
  }
  const show = (title: string, map: Map<string, number>) => {
    console.log(`  ${title}`)
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`    ${(us / 1000).toFixed(0).padStart(8)} ms ${(100 * us / 1000 / total).toFixed(1).padStart(5)} %  ${k}`)
    }
  }
  console.log(`${file}: ${total.toFixed(0)} ms profiled`)
  show('self time by package / file', byWhere)
  show('self time by function', byFunction)
}
