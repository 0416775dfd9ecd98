import '@m365/contracts'

export * from './common.js'
export * from './principal.js'
export * from './auth/index.js'
export * from './report/index.js'
export * from './contacts/index.js'
export * from './tenants/index.js'
export * from './syncs/index.js'
