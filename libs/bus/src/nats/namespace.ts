import { connect } from 'nats'
import { createNaming } from '../naming.js'
import { deleteStreams } from './streams.js'

/** Deletes every stream of a bus namespace, e.g. in a test file's teardown. */
export async function deleteNatsNamespace (options: { url: string, namespace: string }): Promise<void> {
  if (!options.namespace) throw new Error('refusing to delete the streams of the empty (production) namespace')
  const nc = await connect({ servers: options.url })
  try {
    await deleteStreams(await nc.jetstreamManager(), createNaming(options.namespace))
  } finally {
    await nc.close()
  }
}
