// The JSON Schema a language model's answer is held to: the policy proposal's own schema
// (generated from its zod definition), narrowed — never widened — so that a small model's
// answer stays short: `author` is "llm" (a model does not get to say a person wrote it), texts
// have a length cap, at most 4 diffs and 2 pieces of evidence. The fields the guardian fills
// in itself are left out (`$schema`, and `base`, the configuration the proposal is made
// against). Whatever the model writes is then validated against the full schema.
import { proposalJsonSchema } from '../proposals/schema.js'

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; required?: string[] }

/** Caps every string at `maxLength` characters and every array at `maxItems`, through the whole schema. */
function capped(schema: Schema, maxLength: number, maxItems: number): Schema {
  const out: Schema = { ...schema }
  if (out.type === 'string' && out.enum === undefined && out.const === undefined) {
    out.maxLength = typeof out.maxLength === 'number' ? Math.min(out.maxLength, maxLength) : maxLength
  }
  if (out.type === 'array') out.maxItems = typeof out.maxItems === 'number' ? Math.min(out.maxItems, maxItems) : maxItems
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, capped(v, maxLength, maxItems)]))
  if (out.items) out.items = capped(out.items, maxLength, maxItems)
  if (out.anyOf) out.anyOf = out.anyOf.map((s) => capped(s, maxLength, maxItems))
  if (out.oneOf) out.oneOf = out.oneOf.map((s) => capped(s, maxLength, maxItems))
  return out
}

export function llmProposalSchema(): Record<string, unknown> {
  const schema = proposalJsonSchema() as Schema
  const properties = { ...schema.properties }
  delete properties.$schema
  delete properties.base
  properties.author = { type: 'string', const: 'llm', description: 'A language model wrote it.' }
  const narrowed = capped({ ...schema, properties, required: (schema.required ?? []).filter((k) => k in properties) }, 240, 4)
  const p = narrowed.properties as Record<string, Schema>
  p.id = { ...p.id, maxLength: 48 }
  const effect = p.expectedEffect as Schema
  const effectProps = effect.properties as Record<string, Schema>
  effectProps.evidence = { ...effectProps.evidence, maxItems: 2 }
  return narrowed
}
