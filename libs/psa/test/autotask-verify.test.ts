import t from 'tap'
import { createHash } from 'node:crypto'
import { autotaskEscape, autotaskSignature, verifyAutotask } from '@m365/psa'
import {
  autotaskBodyA, autotaskBodyASha256, autotaskBodyB, autotaskBodyBSha256, autotaskHeaderA, autotaskHeaderBEscaped,
  autotaskHeaderBRaw, autotaskSecret, oneByteFlips, oneCharFlips
} from '@m365/psa/testing'

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const header = (value: string) => ({ 'x-hook-signature': value })

t.test('the §7.1 bodies are byte-exact', async (t) => {
  t.equal(autotaskBodyA.length, 236)
  t.equal(sha256(autotaskBodyA), autotaskBodyASha256)
  t.equal(autotaskBodyB.length, 220)
  t.equal(sha256(autotaskBodyB), autotaskBodyBSha256)
})

t.test('body A verifies over the raw bytes', async (t) => {
  t.same(verifyAutotask(autotaskBodyA, header(autotaskHeaderA), autotaskSecret), { ok: true, matched: 'raw', secretIndex: 0 })
  t.equal(`sha1=${autotaskSignature(autotaskBodyA, autotaskSecret)}`, autotaskHeaderA)
})

t.test('body B verifies with either header: raw and escaped (§3.3 quirk)', async (t) => {
  t.same(verifyAutotask(autotaskBodyB, header(autotaskHeaderBRaw), autotaskSecret), { ok: true, matched: 'raw', secretIndex: 0 })
  t.same(verifyAutotask(autotaskBodyB, header(autotaskHeaderBEscaped), autotaskSecret), { ok: true, matched: 'escaped', secretIndex: 0 })
  const escaped = autotaskEscape(autotaskBodyB.toString('utf8'))
  t.equal(Buffer.byteLength(escaped), 230)
  t.match(escaped, /"lastName":"O\\u0027Brien \\u0026 Sons"/)
})

t.test('flipping one byte of the body fails', async (t) => {
  const cases: Array<[Buffer, string]> = [[autotaskBodyA, autotaskHeaderA], [autotaskBodyB, autotaskHeaderBRaw], [autotaskBodyB, autotaskHeaderBEscaped]]
  for (const [body, value] of cases) {
    const accepted = [...oneByteFlips(body)].filter(([, flipped]) => verifyAutotask(flipped, header(value), autotaskSecret).ok)
    t.same(accepted.map(([i]) => i), [], `no flipped copy of a ${body.length}-byte body verifies`)
  }
})

t.test('flipping one character of the signature fails', async (t) => {
  for (const [body, value] of [[autotaskBodyA, autotaskHeaderA], [autotaskBodyB, autotaskHeaderBEscaped]] as const) {
    for (const [i, flipped] of oneCharFlips(value, 'sha1='.length)) {
      const result = verifyAutotask(body, header(flipped), autotaskSecret)
      if (result.ok) t.fail(`signature with character ${i} changed verified`)
    }
  }
  t.same(verifyAutotask(autotaskBodyA, header('sha1=FbM+ph20YtCcc+4R7nkRFVDw0V8'), autotaskSecret), { ok: false, reason: 'malformed_signature' })
})

t.test('several secrets: old and new both verify during a rotation', async (t) => {
  t.same(verifyAutotask(autotaskBodyA, header(autotaskHeaderA), ['new-secret-0000000', autotaskSecret]), { ok: true, matched: 'raw', secretIndex: 1 })
  const newHeader = `sha1=${autotaskSignature(autotaskBodyA, 'new-secret-0000000')}`
  t.same(verifyAutotask(autotaskBodyA, header(newHeader), ['new-secret-0000000', autotaskSecret]), { ok: true, matched: 'raw', secretIndex: 0 })
  t.same(verifyAutotask(autotaskBodyA, header(newHeader), autotaskSecret), { ok: false, reason: 'signature_mismatch' })
})

t.test('header handling', async (t) => {
  t.same(verifyAutotask(autotaskBodyA, {}, autotaskSecret), { ok: false, reason: 'missing_signature' })
  t.same(verifyAutotask(autotaskBodyA, header(autotaskHeaderA), []), { ok: false, reason: 'no_secret_configured' })
  t.same(verifyAutotask(autotaskBodyA, header(autotaskHeaderA), ''), { ok: false, reason: 'no_secret_configured' })
  t.same(verifyAutotask(autotaskBodyA, { 'X-Hook-Signature': [autotaskHeaderA, autotaskHeaderA] }, autotaskSecret), { ok: false, reason: 'malformed_signature' })
  t.ok(verifyAutotask(autotaskBodyA, { 'X-HOOK-SIGNATURE': autotaskHeaderA }, autotaskSecret).ok, 'header name is case-insensitive')
  t.ok(verifyAutotask(autotaskBodyA, new Headers({ 'X-Hook-Signature': autotaskHeaderA }), autotaskSecret).ok, 'fetch Headers work')
  t.ok(verifyAutotask(autotaskBodyA, header(autotaskHeaderA.slice('sha1='.length)), autotaskSecret).ok, 'the sha1= prefix is optional')
})

t.test('autotaskEscape only touches string contents', async (t) => {
  t.equal(autotaskEscape('{"a":"<b>+`x`"}'), '{"a":"\\u003Cb\\u003E\\u002B\\u0060x\\u0060"}')
  t.equal(autotaskEscape('{"a":"say \\"hi\\""}'), '{"a":"say \\u0022hi\\u0022"}')
  t.equal(autotaskEscape('{"a":"Zoë 😀"}'), '{"a":"Zo\\u00EB \\uD83D\\uDE00"}')
  t.equal(autotaskEscape('{"a":"back\\\\slash","n":1}'), '{"a":"back\\\\slash","n":1}')
  t.equal(autotaskEscape('{"a":"\\u0027 kept"}'), '{"a":"\\u0027 kept"}')
  t.equal(autotaskEscape('{"a&b":1}'), '{"a\\u0026b":1}', 'keys are strings too')
})

t.test('a signature over the escaped form of non-ASCII text verifies', async (t) => {
  const body = Buffer.from('{"Action":"Update","Guid":"g","EntityType":"Contact","Id":1,"Fields":{"lastName":"Müller <AT&T>"}}', 'utf8')
  const signature = autotaskSignature(Buffer.from(autotaskEscape(body.toString('utf8'))), autotaskSecret)
  t.same(verifyAutotask(body, header(`sha1=${signature}`), autotaskSecret), { ok: true, matched: 'escaped', secretIndex: 0 })
})
