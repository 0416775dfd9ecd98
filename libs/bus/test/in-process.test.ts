import t from 'tap'
import { createInProcessBus } from '../src/index.js'
import { busContract } from './contract.js'

busContract(t, async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  return { bus, publishRaw: async (contract, payload) => bus.publishRaw(contract, payload) }
})
