export { SingleProcessConfig } from './config.js'
