export * from './connections.js'
export * from './companies.js'
export * from './backfills.js'
export * from './webhooks.js'
