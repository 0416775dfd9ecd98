export { default, migrationsFolder, type ReportOptions } from './app.js'
export { ReportConfig } from './config.js'
export { csvField, csvRecord } from './lib/csv.js'
export { DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_ID } from './repositories/template-columns.js'
