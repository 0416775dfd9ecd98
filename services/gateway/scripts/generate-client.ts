// `npm run generate:client`: regenerates test/generated/{openapi.json,api.ts} from the gateway's /openapi.json.
import { mkdir, writeFile } from 'node:fs/promises'
import { clientTypes, DOCUMENT_FILE, documentText, GENERATED_DIR, servedOpenApiDocument, TYPES_FILE } from './client-types.js'

const document = await servedOpenApiDocument()
await mkdir(GENERATED_DIR, { recursive: true })
await writeFile(DOCUMENT_FILE, documentText(document))
await writeFile(TYPES_FILE, await clientTypes(document))
process.stdout.write(`wrote ${DOCUMENT_FILE}\nwrote ${TYPES_FILE}\n`)
