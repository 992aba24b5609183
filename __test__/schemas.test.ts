// The committed JSON Schemas are exactly what the zod schemas generate: regenerate and compare,
// so a schema change without `scripts/gen-schemas.ts` fails here.
import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { generateSchemas } from '../scripts/schemas.ts'
import { FILE_KINDS } from '../src/cli/kinds.ts'

const dir = resolve('schemas')

test('schemas/ holds exactly the generated files', (t) => {
  const generated = generateSchemas()
  t.deepEqual([...generated.keys()].sort(), [
    'allocator-config.schema.json',
    'contract.schema.json',
    'engine.schema.json',
    'gate-config.schema.json',
    'market.schema.json',
    'policy_proposal.schema.json',
    'rule-set.schema.json',
    'rule.schema.json',
    'scale-presets.schema.json',
    'scenario.schema.json',
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

test('the engine, scenario, gate and market schemas close their objects and accept $schema', (t) => {
  for (const file of ['engine.schema.json', 'scenario.schema.json', 'gate-config.schema.json', 'market.schema.json']) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      additionalProperties: unknown
      properties: Record<string, { additionalProperties?: unknown; anyOf?: { additionalProperties?: unknown }[] }>
    }
    t.is(schema.additionalProperties, false, file)
    t.truthy(schema.properties.$schema, file)
  }
  // Sections nest their own schemas, closed too (null allowed: serde reads it as absent).
  const engine = JSON.parse(readFileSync(join(dir, 'engine.schema.json'), 'utf8')) as {
    properties: Record<string, { anyOf?: { type?: string; additionalProperties?: unknown }[] }>
  }
  for (const section of ['market', 'gate', 'signals']) {
    const forms = engine.properties[section]?.anyOf ?? []
    t.true(
      forms.some((f) => f.type === 'null'),
      `${section} may be null`,
    )
    t.true(
      forms.some((f) => f.additionalProperties === false),
      `${section} is closed`,
    )
  }
})

/** The samples that name a schema of these kinds, by the schema file they must name. */
const NAMED_SAMPLES: Record<string, string[]> = {
  'engine.schema.json': ['samples/engine.json', ...inDir('samples/engine_configs/valid')],
  'scenario.schema.json': inDir('samples/scenarios'),
  'gate-config.schema.json': ['samples/gate/gate.json'],
  // empty.json ({}) and nulls_for_optional_fields.json ("$schema": null) test exactly that.
  'market.schema.json': inDir('samples/market_configs/valid').filter(
    (f) => !['empty.json', 'nulls_for_optional_fields.json'].includes(basename(f)),
  ),
}

function inDir(path: string): string[] {
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(path, f))
}

for (const [schemaFile, samples] of Object.entries(NAMED_SAMPLES)) {
  test(`samples of ${schemaFile} name it by a relative path that resolves, and pass its zod schema`, (t) => {
    const kind = FILE_KINDS.find((k) => k.schemaFile === schemaFile)!
    t.true(samples.length > 0)
    for (const sample of samples) {
      const value = JSON.parse(readFileSync(sample, 'utf8')) as { $schema?: unknown }
      t.is(typeof value.$schema, 'string', sample)
      const ref = value.$schema as string
      t.is(resolve(dirname(sample), ref), join(dir, schemaFile), `${sample} names ${ref}`)
      const parsed = kind.schema.safeParse(value)
      t.true(parsed.success, `${sample}: ${JSON.stringify(parsed.error?.issues)}`)
    }
  })
}
