import t from 'tap'
import { readFile } from 'node:fs/promises'
import { clientTypes, DOCUMENT_FILE, documentText, servedOpenApiDocument, TYPES_FILE } from '../scripts/client-types.js'

t.test('the committed client (test/generated) is what the gateway serves now: run `npm run generate:client` after a route change', async (t) => {
  const document = await servedOpenApiDocument()
  t.equal(await readFile(DOCUMENT_FILE, 'utf8'), documentText(document), 'test/generated/openapi.json is current')
  t.equal(await readFile(TYPES_FILE, 'utf8'), await clientTypes(document), 'test/generated/api.ts is current')
})
