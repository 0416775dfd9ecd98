import { createHash, createHmac } from 'node:crypto'

/** Signing as each PSA does it; written independently of @m365/psa so tests check one against the other. */

/** `X-Hook-Signature: sha1=<base64 HMAC-SHA1(secret, body)>` (Autotask, specs/psa-webhooks.md §3.3). */
export function autotaskSignatureHeader (body: Buffer, secret: string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('base64')}`
}

const atEscapes: Record<string, string> = { '&': '0026', '<': '003C', '>': '003E', "'": '0027', '+': '002B', '`': '0060' }

/** The §3.3 escaped form: inside each JSON string literal, & < > ' + ` \" and non-ASCII become \uXXXX. */
export function autotaskEscapedForm (json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"/gs, (literal) => literal.replace(/\\.|[&<>'+`\u0080-\uffff]/gs, (token) => {
    if (token === '\\"') return '\\u0022'
    if (token.startsWith('\\')) return token
    return `\\u${atEscapes[token] ?? token.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
  }))
}

/** `x-content-signature: base64(HMAC-SHA256(SHA256(signingKey), body))` (ConnectWise, §2.3). */
export function connectWiseSignatureHeader (body: Buffer, signingKey: string): string {
  const key = createHash('sha256').update(signingKey, 'utf8').digest()
  return createHmac('sha256', key).update(body).digest('base64')
}

export function basicAuthorization (username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
}
