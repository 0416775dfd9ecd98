import { startM365Simulator } from './simulator.js'

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : undefined
}

const sim = await startM365Simulator({
  host: arg('host') ?? process.env.M365_SIM_HOST ?? '127.0.0.1',
  port: Number(arg('port') ?? process.env.M365_SIM_PORT ?? 8445),
  fixture: (arg('fixture') ?? process.env.M365_SIM_FIXTURE ?? 'demo') as 'demo' | 'none',
  latencyMs: Number(arg('latency') ?? process.env.M365_SIM_LATENCY_MS ?? 0),
  log: process.argv.includes('--log'),
  ...(arg('cert-dir') ?? process.env.M365_SIM_CERT_DIR ? { certDir: arg('cert-dir') ?? process.env.M365_SIM_CERT_DIR } : {})
})
process.stdout.write(`m365-simulator listening on ${sim.url}\nCA certificate: ${sim.caPath}\n`)
for (const t of sim.admin.demoTenants()) process.stdout.write(`  demo tenant ${t.tenantId}  ${t.displayName} (${t.licenseTier})\n`)

const stop = async () => {
  await sim.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
