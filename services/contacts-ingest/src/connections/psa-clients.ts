import type { HttpOptions, PsaContactClient } from '@m365/psa'
import { createPsaClient } from './psa-client.js'
import type { Connections } from './repository.js'

export class NoCredentialsError extends Error {
  override readonly name = 'NoCredentialsError'
}

export interface PsaClients {
  /** the connection's REST client; NoCredentialsError when it has no API credentials */
  get (connectionId: string): Promise<PsaContactClient>
}

/** REST clients per connection, kept while the connection is unchanged (so a Halo token is reused). */
export function createPsaClients (connections: Pick<Connections, 'apiAccess'>, http: HttpOptions): PsaClients {
  const cache = new Map<string, { version: string, client: PsaContactClient }>()
  return {
    async get (connectionId) {
      const access = await connections.apiAccess(connectionId)
      if (!access) {
        cache.delete(connectionId)
        throw new NoCredentialsError(`PSA connection ${connectionId} has no API credentials to fetch contacts with`)
      }
      const cached = cache.get(connectionId)
      if (cached?.version === access.version) return cached.client
      const client = createPsaClient(access, http)
      cache.set(connectionId, { version: access.version, client })
      if (cache.size > 1000) cache.delete(cache.keys().next().value as string)
      return client
    }
  }
}
