// `npm run docs:config`: writes docs/configuration.md from the services' config schemas.
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderReference } from './reference.js'
import { sections } from './sections.js'

const referencePath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'configuration.md')

await writeFile(referencePath, renderReference(sections))
console.log(`wrote ${referencePath}`)
