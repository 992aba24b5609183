// The JSON Schemas under schemas/, generated from the zod schemas (the one source of their
// structure) with zod 4's z.toJSONSchema: one per kind of file `gamesa validate` knows
// (src/cli/kinds.ts). scripts/gen-schemas.ts writes them; __test__/schemas.test.ts regenerates
// them and fails on any difference, so they never drift.
import { z } from 'zod'
import { FILE_KINDS } from '../src/cli/kinds.ts'

/**
 * The text of each schema file, by file name. Draft-07 because it is what editors support
 * best (VS Code's JSON language service among them); `io: 'input'` because these describe
 * files people write, where fields with defaults may be left out. Refinements (cross-field
 * rules, expressions that must compile) cannot be expressed in JSON Schema: `gamesa validate`
 * checks those.
 */
export function generateSchemas(): Map<string, string> {
  const out = new Map<string, string>()
  for (const { schemaFile, schema, title, description } of FILE_KINDS) {
    const json = z.toJSONSchema(schema, { target: 'draft-07', io: 'input' }) as Record<string, unknown>
    // Title and description first (after $schema) so a reader sees what the file is.
    const ordered: Record<string, unknown> = { $schema: json.$schema, title, description }
    for (const [key, value] of Object.entries(json)) {
      if (!(key in ordered)) ordered[key] = value
    }
    out.set(schemaFile, `${JSON.stringify(ordered, null, 2)}\n`)
  }
  return out
}
