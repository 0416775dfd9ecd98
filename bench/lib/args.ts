import type { Sizes } from './context.js'

type SizeKey = keyof Sizes

/** Every size: its full value, its --quick value (about a tenth), the flag and the env variable that set it. */
const SIZES: Record<SizeKey, { full: number | number[], quick: number | number[], help: string }> = {
  syncUsers: { full: 100_000, quick: 10_000, help: '1: users of the tenant synced with MFA data (0: skip)' },
  rssUsers: { full: [10_000, 100_000, 200_000], quick: [1_000, 10_000, 20_000], help: '1: tenant sizes synced directory-only, for graph-sync\'s peak RSS (comma-separated)' },
  heapCapMb: { full: 128, quick: 128, help: '1: the largest directory-only sync again with graph-sync under --max-old-space-size=N (0: skip)' },
  latencyMs: { full: 100, quick: 100, help: '1: simulated latency per users page, ms (0: skip)' },
  latencyUsers: { full: 100_000, quick: 10_000, help: '1: users of the tenant synced with latency' },
  tenants: { full: 300, quick: 30, help: '2: tenants' },
  usersPerTenant: { full: 500, quick: 500, help: '2: users per tenant' },
  deltaUsers: { full: 100_000, quick: 10_000, help: '3: users of the tenant synced by delta' },
  deltaChangedShare: { full: 0.01, quick: 0.01, help: '3: share of users changed before the delta sync' },
  reportUsers: { full: 50_000, quick: 5_000, help: '4: O365 users' },
  reportContacts: { full: 50_000, quick: 5_000, help: '4: PSA contacts' },
  reportMatchShare: { full: 0.8, quick: 0.8, help: '4: share of contacts matching a user' },
  gatewayRows: { full: 50_000, quick: 5_000, help: '5: rows of the version read through the gateway' },
  gatewayPageSize: { full: 500, quick: 500, help: '5: rows per page' },
  gatewayDurationS: { full: 10, quick: 4, help: '5: seconds of load per route' },
  gatewayConnections: { full: 32, quick: 16, help: '5: autocannon connections' },
  webhookDurationS: { full: 10, quick: 4, help: '6: seconds of load per target' },
  webhookConnections: { full: 32, quick: 16, help: '6: autocannon connections' }
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
const envName = (key: string) => `BENCH_${kebab(key).replaceAll('-', '_').toUpperCase()}`

export interface Options {
  quick: boolean
  only: number[] | undefined
  cpuProf: boolean
  /** leave the database in place (diagnosis); it is named in the output */
  keepDb: boolean
  /** before starting, wait (at most 15 min) until the 1-minute load average is below this; 0: don't */
  waitQuiet: number
  /** run the services from their TypeScript sources through tsx instead of their built dist/ */
  fromSource: boolean
  sizes: Sizes
  help: boolean
}

export function usage (): string {
  const lines = [
    'npm run bench -- [--quick] [--only 1,3,5] [--cpu-prof] [--<size> N] ...',
    '',
    '  --quick        every size about ten times smaller (a smoke test: a few minutes)',
    '  --only LIST    benchmarks to run: numbers or names (full-sync, many-tenants, delta-sync, report-version, gateway, webhooks)',
    '  --cpu-prof     run services and the simulator with --cpu-prof (bench/results/profiles)',
    '  --keep-db      do not drop the run\'s database at the end (to look into it)',
    '  --from-source  run the services from src/ through tsx (default: build, then run dist/ as the image does)',
    '  --wait-quiet [L]  first wait (at most 15 min) until the 1-minute load average is below L (default 1.5)',
    '',
    'sizes (flag, env variable, full / quick):'
  ]
  for (const [key, s] of Object.entries(SIZES)) {
    lines.push(`  --${kebab(key)}  ${envName(key)}  ${String(s.full)} / ${String(s.quick)}  ${s.help}`)
  }
  return lines.join('\n')
}

const NAMES = ['full-sync', 'many-tenants', 'delta-sync', 'report-version', 'gateway', 'webhooks']

export function parseArgs (argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const flags = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n\n${usage()}`)
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined]
    const next = argv[i + 1]
    if (inline !== undefined) flags.set(name, inline)
    else if (next !== undefined && !next.startsWith('--') && !['quick', 'cpu-prof', 'keep-db', 'from-source', 'help'].includes(name)) { flags.set(name, next); i++ } else flags.set(name, true)
  }
  const quick = flags.has('quick') || env.BENCH_QUICK === '1'
  const sizes = {} as Record<SizeKey, number | number[]>
  for (const [key, s] of Object.entries(SIZES) as Array<[SizeKey, typeof SIZES[SizeKey]]>) {
    const raw = flags.get(kebab(key)) ?? env[envName(key)]
    flags.delete(kebab(key))
    if (raw === undefined || raw === true) { sizes[key] = quick ? s.quick : s.full; continue }
    const values = raw.split(',').map(Number)
    if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`--${kebab(key)} must be a number, not ${raw}`)
    sizes[key] = Array.isArray(s.full) ? values : values[0]!
  }
  const onlyRaw = flags.get('only') ?? env.BENCH_ONLY
  let only: number[] | undefined
  if (typeof onlyRaw === 'string') {
    only = onlyRaw.split(',').map((x) => {
      const n = Number(x) || NAMES.indexOf(x.trim()) + 1
      if (n < 1 || n > NAMES.length) throw new Error(`--only: unknown benchmark ${x}`)
      return n
    })
  }
  const quiet = flags.get('wait-quiet')
  const waitQuiet = quiet === undefined ? 0 : quiet === true ? 1.5 : Number(quiet)
  for (const name of ['quick', 'only', 'cpu-prof', 'keep-db', 'from-source', 'wait-quiet', 'help']) flags.delete(name)
  if (flags.size > 0) throw new Error(`unknown flag --${[...flags.keys()][0]}\n\n${usage()}`)
  return {
    quick,
    only,
    cpuProf: argv.includes('--cpu-prof') || env.BENCH_CPU_PROF === '1',
    keepDb: argv.includes('--keep-db'),
    waitQuiet,
    fromSource: argv.includes('--from-source') || env.BENCH_FROM_SOURCE === '1',
    sizes: sizes as unknown as Sizes,
    help: argv.includes('--help')
  }
}
