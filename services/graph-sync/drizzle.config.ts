import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineServiceDrizzleConfig } from '@m365/db/drizzle-config'

// drizzle-kit loads this file as CommonJS, where import.meta.dirname is not set
export default defineServiceDrizzleConfig({ schema: 'graph_sync', root: dirname(fileURLToPath(import.meta.url)) })
