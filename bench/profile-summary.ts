// Summarises .cpuprofile files written by --cpu-prof (npm run bench -- --cpu-prof: bench/results/profiles/<process>/):
//   node --import tsx bench/profile-summary.ts <file.cpuprofile>... [--top 25]
//     self time by package/file and by function
//   … --inclusive      total time under each function of our own sources (libs/, services/, tools/)
//   … --callers <fn>   where the self time of function <fn> comes from [--depth 6]
import { readFile } from 'node:fs/promises'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

process.stdout.on('error', () => process.exit(0)) // piped into head
const args = process.argv.slice(2)
const VALUED = ['--top', '--callers', '--depth']
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const top = Number(flag('--top') ?? 25)
const depth = Number(flag('--depth') ?? 6)
const callersOf = flag('--callers')
const files = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? ''))

/** node_modules package, repository-relative file, or node: module */
function where (url: string): string {
  if (!url) return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const m = /\/work\/main\/(.*)$/.exec(url.replace('file://', ''))
  return m ? m[1]! : url.replace('file://', '')
}
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${where(f.url)}:${f.lineNumber + 1}`
const ours = (f: CallFrame) => f.url.includes('/work/main/') && !f.url.includes('node_modules')

function show (title: string, map: Map<string, number>, totalMs: number) {
  console.log(`  ${title}`)
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`    ${(us / 1000).toFixed(0).padStart(8)} ms ${(100 * us / 1000 / totalMs).toFixed(1).padStart(5)} %  ${k}`)
  }
}

for (const file of files) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000
  console.log(`${file}: ${totalMs.toFixed(0)} ms profiled`)

  if (callersOf) {
    const stacks = new Map<string, number>()
    for (const [id, us] of self) {
      if (byId.get(id)!.callFrame.functionName !== callersOf) continue
      const frames: string[] = []
      for (let p = parent.get(id); p !== undefined && frames.length < depth; p = parent.get(p)) frames.push(label(byId.get(p)!.callFrame))
      const key = frames.join('\n        < ')
      stacks.set(key, (stacks.get(key) ?? 0) + us)
    }
    show(`callers of ${callersOf}`, stacks, totalMs)
  } else if (args.includes('--inclusive')) {
    const inclusive = new Map<string, number>()
    for (const [id, us] of self) {
      const seen = new Set<string>()
      for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
        const f = byId.get(p)!.callFrame
        if (!ours(f)) continue
        const key = label(f)
        if (seen.has(key)) continue
        seen.add(key)
        inclusive.set(key, (inclusive.get(key) ?? 0) + us)
      }
    }
    show('inclusive time under our own functions', inclusive, totalMs)
  } else {
    const byFunction = new Map<string, number>()
    const byWhere = new Map<string, number>()
    for (const [id, us] of self) {
      const f = byId.get(id)!.callFrame
      byFunction.set(label(f), (byFunction.get(label(f)) ?? 0) + us)
      const w = f.url ? where(f.url) : f.functionName
      byWhere.set(w, (byWhere.get(w) ?? 0) + us)
    }
    show('self time by package / file', byWhere, totalMs)
    show('self time by function', byFunction, totalMs)
  }
}
