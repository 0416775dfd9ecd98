import { runService } from '@m365/service-kit'
import contactsIngestApp from './app.js'
import { ContactsIngestConfig } from './config.js'

await runService(contactsIngestApp, { configSchema: ContactsIngestConfig, name: 'contacts-ingest', needs: ['DATABASE_URL', 'NATS_URL'] })
