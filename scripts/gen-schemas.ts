// Writes schemas/*.schema.json from the zod schemas (see scripts/schemas.ts).
// Run: node --conditions=gamesa-source --import @oxc-node/core/register scripts/gen-schemas.ts
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { generateSchemas } from './schemas.ts'

const dir = resolve(import.meta.dirname, '..', 'schemas')
mkdirSync(dir, { recursive: true })
for (const [file, text] of generateSchemas()) {
  writeFileSync(join(dir, file), text)
  console.log(`wrote schemas/${file}`)
}
