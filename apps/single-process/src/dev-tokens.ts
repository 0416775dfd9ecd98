import type { FastifyBaseLogger } from 'fastify'
import type { EventBus } from '@m365/bus'
import { ClientCreated, ClientDeleted } from '@m365/contracts'
import { mintDevTokens, writeDevTokens, type LocalSigningKey } from '@m365/gateway'

/**
 * Keeps data/dev-tokens.json current: the MSP token and one token per client, a client's added
 * when report announces it (ClientCreated) and removed when it is deleted.
 */
export async function keepDevTokensCurrent (options: {
  bus: EventBus
  key: LocalSigningKey
  file: string
  existingClientIds: string[]
  log: FastifyBaseLogger
}) {
  const { bus, key, file, log } = options
  const clientIds = new Set(options.existingClientIds)
  let writing = Promise.resolve()
  const rewrite = () => {
    writing = writing.then(async () => {
      await writeDevTokens(file, await mintDevTokens(key, clientIds))
    }).catch((err) => log.error({ err }, 'could not write dev tokens'))
    return writing
  }
  await rewrite()
  const created = await bus.consume(ClientCreated, { durable: 'single-process-dev-tokens-created' }, async (event) => {
    clientIds.add(event.data.clientId)
    await rewrite()
  })
  const deleted = await bus.consume(ClientDeleted, { durable: 'single-process-dev-tokens-deleted' }, async (event) => {
    clientIds.delete(event.data.clientId)
    await rewrite()
  })
  return {
    async close () {
      await Promise.all([created.close(), deleted.close()])
      await writing
    }
  }
}
