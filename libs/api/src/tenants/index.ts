export * from './tenants.js'
export * from './consent.js'
