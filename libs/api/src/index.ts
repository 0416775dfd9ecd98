import '@m365/contracts'

export * from './common.js'
export * from './principal.js'
export * from './report/index.js'
export * from './contacts/index.js'
