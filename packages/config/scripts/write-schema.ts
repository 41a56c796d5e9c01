// Regenerates the committed JSON Schema from the zod schema:
//   npx tsx packages/config/scripts/write-schema.ts
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { federationConfigJsonSchema, JSON_SCHEMA_FILE } from '../src/index.js'

const target = fileURLToPath(new URL(`../${JSON_SCHEMA_FILE}`, import.meta.url))
writeFileSync(target, `${JSON.stringify(federationConfigJsonSchema(), null, 2)}\n`)
console.log(`wrote ${target}`)
