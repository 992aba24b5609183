// Writes __test__/corpus/rejected_proposals.json: policy proposals that must never be promoted,
// against samples/engine.json, each with the step that must refuse it and the reason it must
// give. Hand-written classes (loosening gate limits, contracts, the safety domain; diffs that do
// not apply; changes that change nothing; proposals made for another configuration; proposals
// that are valid but unsafe in simulation) and fuzzed ones (seeded mutations of the sample
// proposal's structure, of its JSON text, and of expressions). The same seed writes the same file.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register scripts/gen-rejection-corpus.ts
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { seededRandom } from '../src/guardian/generator/random.ts'
import { configSha256 } from '../src/guardian/proposals/validate.ts'

const root = resolve(import.meta.dirname, '..')
const engineText = readFileSync(resolve(root, 'samples/engine.json'), 'utf8')
const engine = JSON.parse(engineText) as { rules: Record<string, unknown>[]; gate: { actions: Record<string, Record<string, unknown>> } }
const sample = JSON.parse(readFileSync(resolve(root, 'samples/policy_proposal.json'), 'utf8')) as Record<string, unknown>
const random = seededRandom(20261207)

interface Case {
  name: string
  class: string
  /** The step that must refuse it. */
  step: 'validate' | 'shadow' | 'evaluate'
  /** A regular expression the reason must match. */
  reason: string
  /** The proposal: a document, or JSON text (malformed JSON). */
  proposal: unknown
}
const cases: Case[] = []
const add = (klass: string, name: string, step: Case['step'], reason: string, proposal: unknown) =>
  cases.push({ name: `${klass}/${name}`, class: klass, step, reason, proposal })

const base = { ...sample, base: { configSha256: configSha256(engineText) } }
const withChange = (id: string, change: unknown[]) => ({ ...base, id, change })
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!

// 1. Structure (fuzzed): the sample with one field removed, retyped, out of range or unknown.
const REQUIRED = ['id', 'author', 'rationale', 'change', 'expectedEffect', 'confidence']
for (const field of REQUIRED) {
  const { [field]: _, ...rest } = base
  add('schema', `missing-${field}`, 'validate', `\\$\\.${field}|${field}`, rest)
}
const WRONG: [string, unknown][] = [
  ['id', 42], ['id', ''], ['id', 'has spaces'], ['id', 'x'.repeat(200)], ['author', 'robot'], ['author', 'LLM'], ['author', null],
  ['rationale', ''], ['rationale', 7], ['change', []], ['change', {}], ['change', 'modify everything'],
  ['confidence', 1.5], ['confidence', -0.1], ['confidence', '0.9'], ['confidence', null],
  ['expectedEffect', {}], ['expectedEffect', { summary: 's', evidence: [] }], ['expectedEffect', { summary: '', evidence: [{ source: 'reasoning', description: 'd' }] }],
  ['expectedEffect', { summary: 's', evidence: [{ source: 'gut feeling', description: 'd' }] }],
  ['expectedEffect', { summary: 's', evidence: [{ source: 'simulation', description: 'd', seeds: [-1] }] }],
  ['base', { configSha256: 'not-a-hash' }], ['base', 'latest'],
]
WRONG.forEach(([field, value], i) => add('schema', `wrong-${field}-${i}`, 'validate', `\\$\\.${field}`, { ...base, [field]: value }))
for (const extra of ['rules', 'apply', 'priority', 'force', 'allowLoosen']) add('schema', `unknown-field-${extra}`, 'validate', `unknown|${extra}`, { ...base, [extra]: true })
add('schema', 'too-many-diffs', 'validate', '\\$\\.change', withChange('too-many', Array.from({ length: 65 }, () => ({ op: 'remove_rule', ruleId: 'background_backoff' }))))
const BAD_DIFFS: unknown[] = [
  { op: 'delete_everything' }, { op: 'modify_rule' }, { op: 'modify_rule', ruleId: 'priority_frames_late' }, { op: 'add_rule', rule: {} },
  { op: 'add_rule', rule: { id: 'r', domain: 'vibes', priority: 'low', when: 'true', action: { kind: 'set_cpu_weight', target: 'priority' } } },
  { op: 'add_rule', rule: { id: 'r', domain: 'performance', priority: 'urgent', when: 'true', action: { kind: 'set_cpu_weight', target: 'priority' } } },
  { op: 'add_rule', rule: { id: 'r', domain: 'performance', priority: 'low', when: 'true', action: { kind: 'Set CPU', target: 'priority' } } },
  { op: 'add_rule', rule: { id: 'bad id!', domain: 'performance', priority: 'low', when: 'true', action: { kind: 'set_cpu_weight', target: 'priority' } } },
  { op: 'modify_rule', ruleId: 'priority_frames_late', set: { cooldownMs: -5 } }, { op: 'modify_rule', ruleId: 'priority_frames_late', set: { id: 'renamed' } },
  { op: 'modify_rule', ruleId: 'priority_frames_late', set: { when: 42 } }, { op: 'set_bid', agent: 'foreground', bid: -1, maxUnitPrice: 1 },
  { op: 'set_bid', agent: 'foreground', bid: 0.5, maxUnitPrice: 1 }, { op: 'set_bid', agent: 'foreground', bid: 0, maxUnitPrice: 'cheap' },
  { op: 'set_gate', kind: 'set_cpu_weight', set: { max: true } }, { op: 'set_gate', kind: 'set_cpu_weight', set: { effect: 'root' } },
  { op: 'set_contract', contract: { name: 'c' } }, { op: 'set_contract', contract: { name: 'has space', pre: ['true'], onViolation: 'rollback' } },
  { op: 'set_contract', contract: { name: 'c', pre: ['true'], onViolation: 'ignore' } }, { op: 'remove_rule', ruleId: 'x', extra: 1 },
]
BAD_DIFFS.forEach((d, i) => add('schema', `bad-diff-${i}`, 'validate', '\\$\\.change\\[0\\]', withChange(`bad-diff-${i}`, [d])))

// 2. Malformed JSON (fuzzed): the sample's text cut short or with a byte replaced.
const text = JSON.stringify(base, null, 2)
for (let i = 0; i < 15; i++) {
  const at = 1 + Math.floor(random() * (text.length - 2))
  add('json', `truncated-${i}`, 'validate', 'malformed JSON', text.slice(0, at))
}
const BREAKERS = ['{', '}', '[', ']', ',', ':', '"']
for (let i = 0; i < 15; i++) {
  // Replace a structural character with another structural one: never valid JSON afterwards
  // unless it replaces itself, which is skipped.
  const positions = [...text].map((c, j) => (BREAKERS.includes(c) ? j : -1)).filter((j) => j >= 0)
  const at = pick(positions)
  const by = pick(BREAKERS.filter((c) => c !== text[at]))
  const broken = text.slice(0, at) + by + text.slice(at + 1)
  try {
    JSON.parse(broken)
    continue
  } catch {
    add('json', `corrupted-${i}`, 'validate', 'malformed JSON', broken)
  }
}

// 3. Expressions that do not compile (fuzzed over templates): syntax, unknown names, types.
const VARIABLES = ['cpu.util', 'wl.priority.deadline_miss_rate', 'thermal.headroom_c', 'gpu0.temp_c', 'power.total_w']
const BROKEN = [
  (v: string) => `${v} >`, (v: string) => `${v} > > 0.5`, (v: string) => `(${v} > 0.5`, (v: string) => `${v} > 0.5)`,
  (v: string) => `${v} => 0.5`, (v: string) => `${v} > 0.5 &&`, (v: string) => `${v} >> 0.5`, (v: string) => `${v} = 0.5`,
  (v: string) => `${v} + 1 > 0.5`, (v: string) => `${v} > 1.0.0`, (v: string) => `${v}`, (v: string) => `${v} > 0.5 ? 1`,
  (v: string) => `${v}.nope > 0.5`, (v: string) => `nope_${v.replace(/\./g, '_')} > 0.5`, (v: string) => `math.nothing(${v}) > 0.5`,
  (v: string) => `${v} > '0.5'`, (v: string) => `!${v}`, (v: string) => `${v} > 0.5 || 3`,
]
for (let i = 0; i < 40; i++) {
  const expr = pick(BROKEN)(pick(VARIABLES))
  const where = i % 4
  if (where === 0) add('expression', `when-${i}`, 'validate', '', withChange(`expr-${i}`, [{ op: 'modify_rule', ruleId: 'priority_frames_late', set: { when: expr } }]))
  else if (where === 1) add('expression', `release-${i}`, 'validate', '', withChange(`expr-${i}`, [{ op: 'modify_rule', ruleId: 'background_backoff', set: { hysteresis: { releaseWhen: expr } } }]))
  else if (where === 2) {
    add('expression', `new-rule-${i}`, 'validate', '', withChange(`expr-${i}`, [
      { op: 'add_rule', rule: { id: `new_${i}`, domain: 'performance', priority: 'normal', when: expr, action: { kind: 'set_cpu_weight', target: 'priority', params: { factor: 2 } } } },
    ]))
  } else add('expression', `bid-amount-${i}`, 'validate', '', withChange(`expr-${i}`, [{ op: 'set_bid', agent: 'foreground', bid: 0, amount: expr.replace(/ > .*$/, ' *') }]))
}
for (const strength of ['2 *', 'cpu.util >', 'nope', '(1.0']) {
  add('expression', `signal-strength-${strength}`, 'validate', '', withChange('strength', [{ op: 'modify_rule', ruleId: 'priority_frames_late', set: { emitsSignal: { kind: 'latency_spike', strength } } }]))
}

// 4. Loosening a gate limit.
const GATE_LOOSENINGS: [string, Record<string, unknown>, string][] = []
for (const [kind, limits] of Object.entries(engine.gate.actions)) {
  if (typeof limits.max === 'number') GATE_LOOSENINGS.push([kind, { max: limits.max * 2 }, 'max .* is looser'])
  if (typeof limits.min === 'number' && limits.min > 0) GATE_LOOSENINGS.push([kind, { min: limits.min / 2 }, 'min .* is looser'])
  if (typeof limits.cap === 'number') GATE_LOOSENINGS.push([kind, { cap: limits.cap + 300 }, 'cap .* is looser'], [kind, { cap: null }, 'removes cap'])
  if (typeof limits.maxStep === 'number') GATE_LOOSENINGS.push([kind, { maxStep: limits.maxStep * 10 }, 'maxStep .* is looser'], [kind, { maxStep: null }, 'removes maxStep'])
  if (typeof limits.cooldownMs === 'number' && limits.cooldownMs > 0) GATE_LOOSENINGS.push([kind, { cooldownMs: 0 }, 'cooldownMs .* is looser'])
  if (typeof limits.hysteresis === 'number' && limits.hysteresis > 0) GATE_LOOSENINGS.push([kind, { hysteresis: 0 }, 'hysteresis .* is looser'])
  if (limits.rate) GATE_LOOSENINGS.push([kind, { rate: null }, 'removes its rate limit'], [kind, { rate: { burst: 100, perSecond: 100 } }, 'rate .* is looser'])
  if (limits.safety !== true) GATE_LOOSENINGS.push([kind, { safety: true }, 'safety action'])
  if (limits.contract) GATE_LOOSENINGS.push([kind, { contract: null }, 'changes contract'])
  if (typeof limits.max === 'string') GATE_LOOSENINGS.push([kind, { max: `${limits.max} * 2.0` }, 'changes max'])
  GATE_LOOSENINGS.push([kind, { targets: [...(limits.targets as string[]), '*'] }, 'adds target'])
}
GATE_LOOSENINGS.push(['set_cpu_weight', { agent: 'foreground' }, 'changes agent'], ['set_gpu_power_limit', { safeDirection: 'increase' }, 'changes safeDirection'])
GATE_LOOSENINGS.forEach(([kind, set, why], i) => add('loosen-gate', `${kind}-${i}`, 'validate', why, withChange(`gate-${i}`, [{ op: 'set_gate', kind, set }])))
for (const kind of ['reboot', 'set_fan_speed', 'kill_process']) {
  add('loosen-gate', `new-kind-${kind}`, 'validate', 'denies unknown kinds', withChange(`gate-${kind}`, [{ op: 'set_gate', kind, set: { agent: 'sched_agent', effect: 'process_control', targets: ['*'] } }]))
}

// 5. Loosening a contract.
const contract = { name: 'gpu_power_settles', variables: { limit: 'double', previous: 'double', power_w: 'double' }, pre: ['limit > 0.0'], post: ['power_w <= limit * 1.05'], onViolation: 'rollback' }
const CONTRACT_LOOSENINGS: [Record<string, unknown>, string][] = [
  [{ ...contract, pre: [] }, 'drops or rewrites the pre'],
  [{ ...contract, post: ['power_w <= limit * 1.5'] }, 'drops or rewrites the post'],
  [{ ...contract, post: ['true'] }, 'drops or rewrites the post'],
  [{ ...contract, onViolation: 'signal' }, 'response to a violation'],
  [{ ...contract, onViolation: 'clamp' }, 'response to a violation'],
  [{ ...contract, variables: { ...contract.variables, power_w: { type: 'double', optional: true } } }, 'variable'],
  [{ ...contract, pre: ['limit > 0.0 || true'] }, 'drops or rewrites the pre'],
  [{ ...contract, invariants: ['true'], pre: [], post: [] }, 'drops or rewrites'],
]
CONTRACT_LOOSENINGS.forEach(([c, why], i) => add('loosen-contract', `gpu_power_settles-${i}`, 'validate', why, withChange(`contract-${i}`, [{ op: 'set_contract', contract: c }])))

// 6. The safety domain.
const overheat = engine.rules.find((r) => r.id === 'cpu_overheat')!
const SAFETY: [unknown[], string][] = [
  [[{ op: 'remove_rule', ruleId: 'cpu_overheat' }], 'removes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { when: 'thermal.headroom_c < 1.0' } }], 'changes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { mode: 'shadow' } }], 'changes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { cooldownMs: 600000 } }], 'changes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { hysteresis: null } }], 'changes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { domain: 'performance' } }], 'changes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { action: { kind: 'set_cpu_freq_max', target: 'cpu', params: { deltaMhz: 800 } } } }], 'changes the safety rule'],
  [[{ op: 'modify_rule', ruleId: 'background_backoff', set: { domain: 'safety' } }], 'into the safety domain'],
  [[{ op: 'add_rule', rule: { ...overheat, id: 'cpu_overheat_2', when: 'thermal.headroom_c < 2.0' } }], 'adds a rule in the safety domain'],
  [[{ op: 'remove_rule', ruleId: 'cpu_overheat' }, { op: 'add_rule', rule: { ...overheat, when: 'false' } }], 'removes the safety rule'],
]
SAFETY.forEach(([change, why], i) => add('loosen-safety', `case-${i}`, 'validate', why, withChange(`safety-${i}`, change)))

// 7. Diffs that do not apply, and changes that change nothing (a model parroting its prompt).
const NOT_APPLYING: [unknown[], string][] = [
  [[{ op: 'remove_rule', ruleId: 'gpu0_thermal_guard' }], 'no rule'],
  [[{ op: 'modify_rule', ruleId: 'cpu_overheating', set: { cooldownMs: 1 } }], 'no rule'],
  [[{ op: 'set_bid', agent: 'gpu_agent', bid: 3, maxUnitPrice: 1 }], 'there is no bid 3'],
  [[{ op: 'set_bid', agent: 'cpu_agent', bid: 0, maxUnitPrice: 1 }], 'no agent'],
  [[{ op: 'set_bid', agent: 'foreground', bid: 0 }], 'sets neither'],
  [[{ op: 'modify_rule', ruleId: 'priority_frames_late', set: {} }], 'sets no field'],
  [[{ op: 'set_gate', kind: 'set_cpu_weight', set: {} }], 'sets no field'],
  [[{ op: 'add_rule', rule: { ...engine.rules[1], mode: 'active' } }], 'already exists'],
  [[{ op: 'remove_rule', ruleId: 'background_backoff' }, { op: 'remove_rule', ruleId: 'background_backoff' }], 'no rule'],
]
NOT_APPLYING.forEach(([change, why], i) => add('not-applying', `case-${i}`, 'validate', why, withChange(`apply-${i}`, change)))
const NOTHING: unknown[][] = [
  [{ op: 'modify_rule', ruleId: 'priority_frames_late', set: { cooldownMs: 1000 } }],
  [{ op: 'modify_rule', ruleId: 'background_backoff', set: { when: 'wl.priority.deadline_miss_rate > 0.15' } }],
  [{ op: 'set_bid', agent: 'foreground', bid: 0, maxUnitPrice: 8 }],
  [{ op: 'set_gate', kind: 'set_cpu_weight', set: { max: 10000 } }],
  [{ op: 'set_contract', contract: (engine as unknown as { contracts: unknown[] }).contracts[0] }],
  [{ op: 'modify_rule', ruleId: 'priority_frames_late', set: { cooldownMs: 500 } }, { op: 'modify_rule', ruleId: 'priority_frames_late', set: { cooldownMs: 1000 } }],
]
NOTHING.forEach((change, i) => add('changes-nothing', `case-${i}`, 'validate', 'changes nothing', withChange(`nothing-${i}`, change)))
for (const hash of ['0'.repeat(64), 'f'.repeat(64), configSha256(`${engineText} `)]) {
  add('stale-base', hash.slice(0, 8), 'validate', 'another configuration', { ...base, id: 'stale', base: { configSha256: hash } })
}

// 8. Valid, loosening nothing, and unsafe in simulation: caught by evaluation (hot_sff_pc).
const UNSAFE: unknown[][] = [
  [{ op: 'set_bid', agent: 'thermal_agent', bid: 1, amount: 'power.cpu_limit_max_w * 1000.0', maxUnitPrice: 1 }],
  [{ op: 'set_bid', agent: 'gpu_agent', bid: 2, amount: '{gpu}.power_max_w * 1000.0', maxUnitPrice: 1 }],
  [{ op: 'set_bid', agent: 'gpu_agent', bid: 2, amount: 'math.least({gpu}.power_max_w, {gpu}.power_w * 1.5) * 1000.0', maxUnitPrice: 0.05 }],
  [{ op: 'set_bid', agent: 'thermal_agent', bid: 1, amount: 'power.cpu_limit_max_w * clamp((thermal.headroom_c - 1.0) / 10.0, 0.02, 1.0) * 1000.0' }],
  [
    { op: 'set_bid', agent: 'thermal_agent', bid: 1, amount: 'power.cpu_limit_max_w * 1000.0', maxUnitPrice: 1 },
    { op: 'set_bid', agent: 'gpu_agent', bid: 2, amount: '{gpu}.power_max_w * 1000.0', maxUnitPrice: 1 },
  ],
]
UNSAFE.forEach((change, i) => add('unsafe-in-simulation', `case-${i}`, 'evaluate', 'safety regression', withChange(`unsafe-${i}`, change)))

const out = resolve(root, '__test__/corpus/rejected_proposals.json')
writeFileSync(out, `${JSON.stringify({ description: 'Policy proposals that must never be promoted against samples/engine.json; written by scripts/gen-rejection-corpus.ts.', cases }, null, 1)}\n`)
console.log(`wrote ${cases.length} cases to ${out}`)
