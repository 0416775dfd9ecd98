/** specs/psa-webhooks.md §7, byte for byte (single lines, UTF-8, no trailing newline). */
export const autotaskSecret = 'AtSecret-0123456789'
export const autotaskBodyA = Buffer.from(
  '{"Action":"Update","Guid":"3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c","EntityType":"Contact","Id":30684512,' +
  '"Fields":{"emailAddress":"dana.reyes@contoso.example"},"EventTime":"2025-06-02T14:07:32.103Z","SequenceNumber":17,' +
  '"PersonID":29682885}', 'utf8')
export const autotaskHeaderA = 'sha1=FbM+ph20YtCcc+4R7nkRFVDw0V8='
export const autotaskBodyB = Buffer.from(
  '{"Action":"Update","Guid":"3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c","EntityType":"Contact","Id":30684513,' +
  '"Fields":{"lastName":"O\'Brien & Sons"},"EventTime":"2025-06-02T14:08:00.000Z","SequenceNumber":18,"PersonID":29682885}', 'utf8')
export const autotaskHeaderBRaw = 'sha1=nWOgF/20EXS80TrJFD9xZCdSPbQ='
export const autotaskHeaderBEscaped = 'sha1=vthixUa2fLAx1jl7LKYqWRQYPWo='

export const connectWiseSigningKey = 'cw-signing-key-example-42'
export const connectWiseBody = Buffer.from(
  '{"Action":"updated","Type":"contact","ID":4711,"MemberId":"jsmith","CompanyId":"contoso_msp","Entity":"{\\"id\\":4711}",' +
  '"Metadata":{"key_url":"https://api-na.myconnectwise.net/v4_6_release/system/callbackkey/index.rails?id=abc"}}', 'utf8')
export const connectWiseHeader = '1SvNn709EupYYyZHlCR3fHZ8+evU8FHz/KeSwrC7Atg='
export const connectWiseUnhashedKeyHeader = 'txkLzAD7aEDJQn3P5ii3erd93+5pMveXB6QPuNqgdlQ='

export const haloUsername = 'psa-webhook'
export const haloPassword = 'Hx7-example-secret'
export const haloAuthorization = 'Basic cHNhLXdlYmhvb2s6SHg3LWV4YW1wbGUtc2VjcmV0'

/** Every copy of `bytes` with one byte changed (bit 0 flipped). */
export function * byteFlips (bytes: Buffer): Generator<[number, Buffer]> {
  for (let i = 0; i < bytes.length; i++) {
    const copy = Buffer.from(bytes)
    copy[i] = (copy[i] as number) ^ 0x01
    yield [i, copy]
  }
}

/** Every copy of a header value with one character's byte changed (bit 0 flipped). */
export function * charFlips (value: string): Generator<[number, string]> {
  for (let i = 0; i < value.length; i++) {
    yield [i, value.slice(0, i) + String.fromCharCode(value.charCodeAt(i) ^ 0x01) + value.slice(i + 1)]
  }
}
