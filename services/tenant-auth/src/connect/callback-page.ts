const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Headers for the landing page: nothing loads, nothing is cached, no referrer leaks the URL. */
export const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store'
}

export function connectedPage (input: { tenantId: string, displayName: string | null }): string {
  const name = input.displayName ? `${escape(input.displayName)} (${escape(input.tenantId)})` : escape(input.tenantId)
  return page('Microsoft 365 tenant connected', `<h1>Connected</h1><p>Tenant ${name} is connected. You can close this window.</p>`)
}

export function failedPage (input: { detail: string, error?: string | undefined, errorDescription?: string | undefined }): string {
  const microsoft = input.error
    ? `<p>Microsoft said: <code>${escape(input.error)}</code>${input.errorDescription ? ` — ${escape(input.errorDescription)}` : ''}</p>`
    : ''
  return page('Microsoft 365 connection failed', `<h1>Connection failed</h1><p>${escape(input.detail)}</p>${microsoft}`)
}

function page (title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style>' +
    `</head><body>${body}</body></html>`
}
