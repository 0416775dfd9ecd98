import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineServiceDrizzleConfig } from '@m365/db/drizzle-config'

// drizzle-kit loads this file through its own transpiler, where import.meta.dirname is not set
export default defineServiceDrizzleConfig({ schema: 'contacts_ingest', root: dirname(fileURLToPath(import.meta.url)) })
