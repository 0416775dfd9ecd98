import type { Test } from 'tap'
import { consumersContract } from './contract/consumers.js'
import { deliveryContract } from './contract/delivery.js'
import { requestsContract } from './contract/requests.js'
import type { MakeBus } from './contract/types.js'

export type { BusUnderTest, MakeBus } from './contract/types.js'

/** The behaviour both adapters promise; run by nats.test.ts and in-process.test.ts. */
export function busContract (t: Test, makeBus: MakeBus): void {
  deliveryContract(t, makeBus)
  consumersContract(t, makeBus)
  requestsContract(t, makeBus)
}
