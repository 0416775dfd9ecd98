import type { GraphClient } from '../client.js'
import { pages } from '../paging.js'
import { bool, str, strings, type Raw } from './raw.js'

export const ORG_CONTACT_SELECT = [
  'id', 'displayName', 'mail', 'mailNickname', 'givenName', 'surname', 'companyName',
  'proxyAddresses', 'onPremisesSyncEnabled'
] as const

/** A mail contact of the directory: not a user account, never in /users or the registration report. */
export interface OrgContact {
  id: string
  displayName: string | null
  mail: string | null
  mailNickname: string | null
  givenName: string | null
  surname: string | null
  companyName: string | null
  proxyAddresses: string[]
  onPremisesSyncEnabled: boolean | null
}

export function toOrgContact (raw: Raw): OrgContact {
  return {
    id: str(raw.id) ?? '',
    displayName: str(raw.displayName),
    mail: str(raw.mail),
    mailNickname: str(raw.mailNickname),
    givenName: str(raw.givenName),
    surname: str(raw.surname),
    companyName: str(raw.companyName),
    proxyAddresses: strings(raw.proxyAddresses),
    onPremisesSyncEnabled: bool(raw.onPremisesSyncEnabled)
  }
}

export async function * orgContactsPages (client: GraphClient, opts: { top?: number, signal?: AbortSignal } = {}): AsyncGenerator<OrgContact[], void, undefined> {
  for await (const page of pages<Raw>(client, '/contacts', { select: ORG_CONTACT_SELECT, top: 999, ...opts })) {
    yield page.map(toOrgContact)
  }
}
