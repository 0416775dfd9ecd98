/**
 * `@m365/psa/testing`: the webhook signature test vectors of specs/psa-webhooks.md §7, byte for byte (single lines,
 * UTF-8, no trailing newline), for this library's tests and for the services that verify deliveries.
 */
export const autotaskSecret = 'AtSecret-0123456789'

export const autotaskBodyA = Buffer.from(
  '{"Action":"Update","Guid":"3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c","EntityType":"Contact","Id":30684512,' +
  '"Fields":{"emailAddress":"dana.reyes@contoso.example"},"EventTime":"2025-06-02T14:07:32.103Z","SequenceNumber":17,' +
  '"PersonID":29682885}', 'utf8')
export const autotaskBodyASha256 = '5f3595a56542e272dbaadf0a24ab7755137d2f14148e4d1015df97f1fdef968c'
export const autotaskHeaderA = 'sha1=FbM+ph20YtCcc+4R7nkRFVDw0V8='

export const autotaskBodyB = Buffer.from(
  '{"Action":"Update","Guid":"3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c","EntityType":"Contact","Id":30684513,' +
  '"Fields":{"lastName":"O\'Brien & Sons"},"EventTime":"2025-06-02T14:08:00.000Z","SequenceNumber":18,"PersonID":29682885}', 'utf8')
export const autotaskBodyBSha256 = 'f71c2da41a5932701ef27b7acde81faafb0e33f092dc935cb8d52c941e398cd2'
export const autotaskHeaderBRaw = 'sha1=nWOgF/20EXS80TrJFD9xZCdSPbQ='
export const autotaskHeaderBEscaped = 'sha1=vthixUa2fLAx1jl7LKYqWRQYPWo='

export const connectWiseSigningKey = 'cw-signing-key-example-42'
export const connectWiseDerivedKeyHex = 'b0dd619372367d35dd6fea6ab0af8f75d65050c0da5960b2af958b29f6c49f9a'
export const connectWiseBody = Buffer.from(
  '{"Action":"updated","Type":"contact","ID":4711,"MemberId":"jsmith","CompanyId":"contoso_msp","Entity":"{\\"id\\":4711}",' +
  '"Metadata":{"key_url":"https://api-na.myconnectwise.net/v4_6_release/system/callbackkey/index.rails?id=abc"}}', 'utf8')
export const connectWiseBodySha256 = '77dd64bf7c9437dd50120237ad11e65d87e44fb1ae9ee1de231a4d860a173231'
export const connectWiseHeader = '1SvNn709EupYYyZHlCR3fHZ8+evU8FHz/KeSwrC7Atg='
export const connectWiseUnhashedKeyHeader = 'txkLzAD7aEDJQn3P5ii3erd93+5pMveXB6QPuNqgdlQ='

export const haloUsername = 'psa-webhook'
export const haloPassword = 'Hx7-example-secret'
export const haloAuthorization = 'Basic cHNhLXdlYmhvb2s6SHg3LWV4YW1wbGUtc2VjcmV0'

/** Every copy of `bytes` with one byte changed (bit 0 flipped). */
export function * oneByteFlips (bytes: Buffer): Generator<[number, Buffer]> {
  for (let i = 0; i < bytes.length; i++) {
    const copy = Buffer.from(bytes)
    copy[i] = (copy[i] as number) ^ 0x01
    yield [i, copy]
  }
}

const base64Chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Every copy of a base64 signature with one character replaced by another base64 character. */
export function * oneCharFlips (signature: string, from = 0): Generator<[number, string]> {
  for (let i = from; i < signature.length; i++) {
    const ch = signature[i] as string
    if (ch === '=') continue
    const other = base64Chars[(base64Chars.indexOf(ch) + 1) % 64] as string
    yield [i, signature.slice(0, i) + other + signature.slice(i + 1)]
  }
}
