import type { HaloWebhookAuth as HaloWebhookAuthInput, PsaCredentials } from '@m365/api'
import { badRequest } from '@m365/service-kit'
import type { HaloWebhookAuth, PsaType } from '../db/schema.js'

const REQUIRED: Record<PsaType, ReadonlyArray<keyof PsaCredentials>> = {
  connectwise: ['companyId', 'publicKey', 'privateKey', 'clientId'],
  autotask: ['integrationCode', 'username', 'secret'],
  halopsa: ['clientId', 'clientSecret']
}

const OPTIONAL: Record<PsaType, ReadonlyArray<keyof PsaCredentials>> = {
  connectwise: [],
  autotask: ['impersonationResourceId'],
  halopsa: ['tenant', 'scope', 'authUrl']
}

/** The credentials a PSA's REST client needs, complete and nothing foreign (400 naming the field otherwise). */
export function checkCredentials (psa: PsaType, credentials: PsaCredentials, field = 'body/credentials'): PsaCredentials {
  for (const key of REQUIRED[psa]) {
    if (credentials[key] === undefined) throw badRequest(`${field}/${key} is required for ${psa}`)
  }
  for (const key of Object.keys(credentials) as Array<keyof PsaCredentials>) {
    if (!REQUIRED[psa].includes(key) && !OPTIONAL[psa].includes(key)) throw badRequest(`${field}/${key} is not used by ${psa}`)
  }
  return credentials
}

/** HaloPSA's webhook authentication (default Basic with user `psa-webhook`); the other PSAs have none to configure. */
export function checkWebhookAuth (psa: PsaType, auth: HaloWebhookAuthInput | undefined, field = 'body/webhookAuth'): HaloWebhookAuth | null {
  if (psa !== 'halopsa') {
    if (auth !== undefined) throw badRequest(`${field} is only for halopsa`)
    return null
  }
  if (auth === undefined) return { type: 'basic', username: 'psa-webhook' }
  switch (auth.type) {
    case 'basic':
      if (!auth.username) throw badRequest(`${field}/username is required for basic`)
      return { type: 'basic', username: auth.username }
    case 'header':
      if (!auth.headerName) throw badRequest(`${field}/headerName is required for header`)
      return { type: 'header', name: auth.headerName.toLowerCase() }
    case 'bearer':
      return { type: 'bearer' }
  }
}

/** ConnectWise signs callbacks with keys it publishes at Metadata.key_url: there is no secret of ours to hold. */
export function checkWebhookSecret (psa: PsaType, secret: string | undefined, field = 'body/webhookSecret'): void {
  if (psa === 'connectwise' && secret !== undefined) {
    throw badRequest(`${field} is not used by connectwise (it signs with keys published at Metadata.key_url)`)
  }
}

export function publicWebhookAuth (auth: HaloWebhookAuth | null): HaloWebhookAuthInput | null {
  if (auth === null) return null
  if (auth.type === 'basic') return { type: 'basic', username: auth.username }
  if (auth.type === 'header') return { type: 'header', headerName: auth.name }
  return { type: 'bearer' }
}
