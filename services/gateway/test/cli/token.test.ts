import t from 'tap'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTokenVerifier } from '../../src/index.js'

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'token.ts')

async function token (args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH, ...env }
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number, stdout: string, stderr: string }
    return { code, stdout, stderr }
  }
}

t.test('npm run token prints a token the gateway accepts, for MSP staff or one client', async (t) => {
  const dir = t.testdir()
  const keyFile = join(dir, 'data', 'jwt-key.json')
  const verify = async (text: string) => await (await createTokenVerifier({ kind: 'local', file: keyFile }, { clockToleranceSeconds: 0 }))(text.trim())

  const msp = await token(['--role', 'msp', '--key-file', keyFile])
  t.equal(msp.code, 0, msp.stderr)
  t.match(msp.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'one line, the token')
  t.same(await verify(msp.stdout), { role: 'msp', sub: 'local-msp' })

  const clientId = randomUUID()
  const client = await token(['--role', 'client', '--client', clientId, '--sub', 'bob', '--ttl', '600'], { JWT_LOCAL_KEY_FILE: keyFile })
  t.equal(client.code, 0, client.stderr)
  t.same(await verify(client.stdout), { role: 'client', sub: 'bob', clientId }, 'JWT_LOCAL_KEY_FILE names the key when --key-file does not')

  const inDataDir = await token(['--role', 'msp'], { DATA_DIR: join(dir, 'data') })
  t.same(await verify(inDataDir.stdout), { role: 'msp', sub: 'local-msp' }, 'default: <DATA_DIR>/jwt-key.json')
})

t.test('bad arguments: one line saying what is wrong, the usage, exit code 2', async (t) => {
  const keyFile = join(t.testdir(), 'key.json')
  for (const [args, message] of [
    [[], /--role must be msp or client/],
    [['--role', 'admin'], /--role must be msp or client/],
    [['--role', 'client'], /--client <clientId> is required/],
    [['--role', 'client', '--client', 'acme'], /needs the client's id \(a uuid\)/],
    [['--role', 'msp', '--client', randomUUID()], /--client goes with --role client only/],
    [['--role', 'msp', '--bogus'], /Unknown option '--bogus'/]
  ] as const) {
    const res = await token([...args, '--key-file', keyFile])
    t.equal(res.code, 2, args.join(' '))
    t.match(res.stderr, message)
    t.match(res.stderr, /usage: npm run token -- --role msp\|client/)
    t.equal(res.stdout, '')
  }
})
