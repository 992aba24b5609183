// What a language model is asked: the reflection's findings and figures, the active rules, and
// the one thing to answer with — a policy proposal, as JSON, in the proposal's schema. The
// prompt is built from the reflection alone, so the same store and config give the same prompt.
import type { Reflection } from '../reflect/types.js'

/** The parts of an engine configuration the prompt shows. */
interface PromptConfig {
  rules?: { id?: string; mode?: string; domain?: string; when?: string; cooldownMs?: number; action?: { kind?: string; target?: string } }[] | null
  reward?: string | null
}

/** The chat messages: the instructions, then the report. */
export interface ProposalPrompt {
  system: string
  user: string
}

const SYSTEM = `You tune the rules of GAMESA, a resource governor that runs as a market. You read a report on how the governor did and answer with ONE policy proposal: a JSON object, nothing else.
The proposal changes the active rules to raise the reward with no safety regression. Prefer small changes to existing rules (modify_rule: a threshold in "when", "cooldownMs"). Never loosen a gate limit, a contract or a safety rule.
Fields: id (letters, digits, _ . : -), author "llm", rationale (why, citing the report), change (a list of diffs, e.g. {"op":"modify_rule","ruleId":"<an existing rule id>","set":{"cooldownMs":2000}}), expectedEffect {summary, evidence: [{source:"experience", description}]}, confidence (0 to 1).
Every proposal is validated, shadow-tested and evaluated before anything changes.`

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(4)
}

/** The prompt for `reflection` of a store recorded under `config`. */
export function proposalPrompt(reflection: Reflection, config: PromptConfig): ProposalPrompt {
  const r = reflection
  const lines: string[] = []
  lines.push(`Report on ${r.ticks} ticks (${r.emergencyTicks} in emergency).`)
  lines.push(`Reward: ${config.reward ?? 'none configured'}. Mean ${fmt(r.reward.mean)}, first third ${fmt(r.reward.firstThird)}, last third ${fmt(r.reward.lastThird)}.`)
  lines.push('Findings:')
  for (const f of r.findings.slice(0, 6)) lines.push(`- ${f.text}`)
  lines.push('Rules that fired (mode, fired, rate, reward before -> after):')
  for (const x of r.rules.filter((x) => x.firings > 0).slice(0, 8)) {
    lines.push(`- ${x.rule} (${x.mode}): ${x.firings}, ${(100 * x.firingRate).toFixed(1)} %, ${fmt(x.rewardBefore)} -> ${fmt(x.rewardAfter)}`)
  }
  const rejections = r.rejections.slice(0, 3).map((c) => `${c.key} ${c.count}`)
  if (rejections.length > 0) lines.push(`Gate rejections: ${rejections.join(', ')}.`)
  lines.push('Active configuration rules (id, mode, domain, when, cooldownMs, action):')
  for (const rule of (config.rules ?? []).slice(0, 16)) {
    lines.push(`- ${rule.id} | ${rule.mode ?? 'active'} | ${rule.domain ?? ''} | ${rule.when ?? ''} | ${rule.cooldownMs ?? 0} | ${rule.action?.kind ?? ''} ${rule.action?.target ?? ''}`)
  }
  lines.push('Answer with the proposal JSON.')
  return { system: SYSTEM, user: lines.join('\n') }
}
