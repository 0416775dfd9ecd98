export { default, migrationsFolder } from './app.js'
export { GraphSyncConfig } from './config.js'
export { uuidFromName, syncEventId } from './lib/ids.js'
export { chooseMode } from './sync/run-attempt.js'
