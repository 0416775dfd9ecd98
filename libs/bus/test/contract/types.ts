import type { Test } from 'tap'
import type { EventContract } from '@m365/contracts'
import type { BusInspector, EventBus } from '../../src/index.js'

export interface BusUnderTest {
  bus: EventBus & BusInspector
  /** Stores a payload on the contract's subject without validation, as a broken publisher would. */
  publishRaw (contract: EventContract, payload: string): Promise<void>
}

/** A fresh bus (its own namespace) per call, closed and cleaned up at the test's teardown. */
export type MakeBus = (t: Test) => Promise<BusUnderTest>
