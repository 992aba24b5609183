// The committed JSON Schemas are exactly what the zod schemas generate: regenerate and compare,
// so a schema change without `scripts/gen-schemas.ts` fails here.
import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { generateSchemas } from '../scripts/schemas.ts'

const dir = resolve('schemas')

test('schemas/ holds exactly the generated files', (t) => {
  const generated = generateSchemas()
  t.deepEqual([...generated.keys()].sort(), [
    'allocator-config.schema.json',
    'contract.schema.json',
    'rule-set.schema.json',
    'rule.schema.json',
    'scale-presets.schema.json',
  ])
  const committed = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  t.deepEqual(committed, [...generated.keys()].sort())
})

for (const [file, text] of generateSchemas()) {
  test(`schemas/${file} is up to date (run scripts/gen-schemas.ts)`, (t) => {
    t.is(readFileSync(join(dir, file), 'utf8'), text)
    const schema = JSON.parse(text) as Record<string, unknown>
    t.is(schema.$schema, 'http://json-schema.org/draft-07/schema#')
    t.is(typeof schema.title, 'string')
  })
}

test('the contract schema closes objects and accepts $schema', (t) => {
  const schema = JSON.parse(readFileSync(join(dir, 'contract.schema.json'), 'utf8')) as {
    additionalProperties: unknown
    properties: Record<string, unknown>
    required: string[]
  }
  t.is(schema.additionalProperties, false)
  t.truthy(schema.properties.$schema)
  t.deepEqual([...schema.required].sort(), ['name', 'onViolation'])
})
