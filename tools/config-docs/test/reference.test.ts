import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type } from '@sinclair/typebox'
import t from 'tap'
import { renderReference, sections, variablesOf } from '../src/index.js'

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'configuration.md')

t.test('docs/configuration.md is what the config schemas say (npm run docs:config rewrites it)', async (t) => {
  t.equal(await readFile(docs, 'utf8'), renderReference(sections))
})

t.test('every variable a service reads is documented once, in its own or a shared section', async (t) => {
  const documented = sections.flatMap((s) => variablesOf(s.schema).filter((v) => !s.omit?.has(v.name)).map((v) => `${s.title}:${v.name}`))
  t.equal(new Set(documented).size, documented.length, 'no variable twice in one section')
  const undescribed = sections.flatMap((s) => variablesOf(s.schema).filter((v) => !s.omit?.has(v.name) && v.description === '').map((v) => `${s.title}: ${v.name}`))
  t.same(undescribed, [], 'every variable says what it does (a `description` in its schema)')
  const reference = renderReference(sections)
  for (const name of ['DATABASE_URL', 'ENCRYPTION_KEY', 'AZURE_CLIENT_ID', 'SYNC_FULL_EVERY_HOURS', 'TRUST_PROXY', 'WEBHOOK_RATE_LIMIT_MAX', 'VERSION_BUILD_POLL_MS', 'DEMO_SEED']) {
    t.match(reference, `| \`${name}\` |`, `${name} has a row`)
  }
})

t.test('a variable reads as required, defaulted or optional, with what it accepts', async (t) => {
  const schema = Type.Object({
    A_URL: Type.String({ pattern: '^https://', errorMessage: 'must be an https:// URL', description: 'where | it is' }),
    POLL_MS: Type.Integer({ minimum: 10, default: 600_000 }),
    LEVEL: Type.Unsafe<string>({ type: 'string', enum: ['info', 'debug'], default: 'info' }),
    ON: Type.Optional(Type.Boolean())
  })
  const text = renderReference([{ title: 'T', intro: 'i', schema }])
  t.match(text, '| `A_URL` | **required** | an https:// URL | where \\| it is |')
  t.match(text, '| `POLL_MS` | `600000` (10 min) | integer ≥ 10 |  |')
  t.match(text, '| `LEVEL` | `info` | one of `info`, `debug` |  |')
  t.match(text, '| `ON` | unset | `true` or `false` |  |')
})
