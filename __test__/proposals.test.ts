// Policy proposals: the shipped sample is valid against the sample engine, and each class of bad
// proposal is refused with its reason at the proposal's own JSON path (the larger rejection
// corpus is in proposal_rejection.test.ts).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PolicyProposal, configSha256, proposalJsonSchema, validateProposal } from '../src/guardian/proposals/index.ts'
import { isGamesaError } from '../src/index.ts'

const ENGINE = readFileSync('samples/engine.json', 'utf8')
const SAMPLE = JSON.parse(readFileSync('samples/policy_proposal.json', 'utf8')) as PolicyProposal

function withChange(change: unknown[]): unknown {
  return { ...SAMPLE, change }
}

test('the sample proposal is valid against the sample engine, and was made against it', (t) => {
  t.is(SAMPLE.base?.configSha256, configSha256(ENGINE))
  const v = validateProposal(SAMPLE, ENGINE)
  t.deepEqual(v.problems, [])
  t.true(v.valid)
  const proposed = JSON.parse(v.proposedConfig!) as { rules: { id: string; cooldownMs?: number; when: string }[] }
  const rule = proposed.rules.find((r) => r.id === 'priority_frames_late')!
  t.is(rule.cooldownMs, 500)
  t.regex(rule.when, /> 0\.01/)
})

test('JSON text is accepted as well as an object, and malformed JSON is a problem at $', (t) => {
  t.true(validateProposal(JSON.stringify(SAMPLE), ENGINE).valid)
  const v = validateProposal('{"id": ', ENGINE)
  t.false(v.valid)
  t.is(v.problems[0]!.path, '$')
  t.is(v.problems[0]!.check, 'json')
})

test('an expression that does not compile is reported at the diff, with line and column', (t) => {
  const v = validateProposal(withChange([{ op: 'modify_rule', ruleId: 'priority_frames_late', set: { when: 'wl.priority.deadline_miss_rate >> 0.01' } }]), ENGINE)
  t.false(v.valid)
  t.like(v.problems[0], { path: '$.change[0].set.when', line: 1, column: 33, check: 'compile' })
  const typed = validateProposal(withChange([{ op: 'set_bid', agent: 'foreground', bid: 0, amount: 'cpu.util + 1' }]), ENGINE)
  t.like(typed.problems[0], { path: '$.change[0].amount', check: 'compile' })
  t.regex(typed.problems[0]!.message, /no matching overload/)
})

test('a diff that does not apply names what it could not find', (t) => {
  const { $schema: _, ...rule } = JSON.parse(readFileSync('samples/micro_inference_rule.json', 'utf8')) as Record<string, unknown>
  const v = validateProposal(
    withChange([
      { op: 'remove_rule', ruleId: 'no_such_rule' },
      { op: 'set_bid', agent: 'background', bid: 7, maxUnitPrice: 1 },
      { op: 'add_rule', rule: { ...rule, id: 'cpu_overheat' } },
    ]),
    ENGINE,
  )
  t.deepEqual(
    v.problems.map((p) => p.path),
    ['$.change[0].ruleId', '$.change[1].bid', '$.change[2].rule.id'],
  )
})

test('loosening a gate limit, a contract or the safety domain needs allowLoosen', (t) => {
  const cases: [string, unknown[], RegExp][] = [
    ['gate cap', [{ op: 'set_gate', kind: 'set_gpu_power_limit', set: { cap: 900 } }], /cap 700 → 900 is looser/],
    ['gate rate removed', [{ op: 'set_gate', kind: 'set_cpu_weight', set: { rate: null } }], /removes its rate limit/],
    ['gate cooldown', [{ op: 'set_gate', kind: 'set_cpu_quota', set: { cooldownMs: 10 } }], /cooldownMs 1000 → 10/],
    ['new gate kind', [{ op: 'set_gate', kind: 'reboot', set: { agent: 'sched_agent', effect: 'cpu_control', targets: ['cpu'] } }], /denies unknown kinds/],
    ['safety action', [{ op: 'set_gate', kind: 'set_cpu_weight', set: { safety: true } }], /safety action/],
    ['safety rule removed', [{ op: 'remove_rule', ruleId: 'cpu_overheat' }], /removes the safety rule/],
    ['safety rule changed', [{ op: 'modify_rule', ruleId: 'cpu_overheat', set: { when: 'thermal.headroom_c < 1.0' } }], /changes the safety rule/],
    ['into safety domain', [{ op: 'modify_rule', ruleId: 'background_backoff', set: { domain: 'safety' } }], /into the safety domain/],
    [
      'contract weakened',
      [{ op: 'set_contract', contract: { name: 'gpu_power_settles', variables: { limit: 'double', previous: 'double', power_w: 'double' }, pre: ['limit > 0.0'], post: ['power_w <= limit * 2.0'], onViolation: 'rollback' } }],
      /drops or rewrites the post condition/,
    ],
  ]
  for (const [name, change, why] of cases) {
    const refused = validateProposal(withChange(change), ENGINE)
    t.false(refused.valid, name)
    const loosening = refused.problems.find((p) => p.check === 'loosens')
    t.truthy(loosening, name)
    t.regex(loosening!.message, why, name)
    t.regex(loosening!.message, /--allow-loosen/, name)
    const allowed = validateProposal(withChange(change), ENGINE, { allowLoosen: true })
    t.true(allowed.loosenings.length > 0, name)
    t.false(allowed.problems.some((p) => p.check === 'loosens'), name)
  }
})

test('tightening is not loosening', (t) => {
  const v = validateProposal(withChange([{ op: 'set_gate', kind: 'set_gpu_power_limit', set: { cap: 600, maxStep: 25, cooldownMs: 2000 } }]), ENGINE)
  t.deepEqual(v.problems, [])
  t.deepEqual(v.loosenings, [])
})

test('a change that changes nothing, a stale base and a bad structure are refused', (t) => {
  t.regex(validateProposal(withChange([{ op: 'modify_rule', ruleId: 'priority_frames_late', set: { cooldownMs: 1000 } }]), ENGINE).problems[0]!.message, /changes nothing/)
  t.is(validateProposal({ ...SAMPLE, base: { configSha256: '0'.repeat(64) } }, ENGINE).problems[0]!.path, '$.base.configSha256')
  const v = validateProposal({ ...SAMPLE, confidence: 2, author: 'robot', change: [] }, ENGINE)
  t.deepEqual(v.problems.map((p) => p.path).sort(), ['$.author', '$.change', '$.confidence'])
})

test('an invalid active configuration is an error, not a verdict on the proposal', (t) => {
  const e = t.throws(() => validateProposal(SAMPLE, '{"rules": 3}'))
  t.true(isGamesaError(e, 'INVALID_ENGINE_CONFIG'))
})

test('the JSON Schema is the generated file', (t) => {
  t.deepEqual(
    JSON.parse(readFileSync('schemas/policy_proposal.schema.json', 'utf8')).properties,
    (proposalJsonSchema() as { properties: unknown }).properties,
  )
})

test('gamesa validate checks a proposal against --config, and --allow-loosen lets a person pass a loosening', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-proposal-'))
  try {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts', 'validate', ...args], { encoding: 'utf8' })
    const file = join(dir, 'loosen.json')
    writeFileSync(file, JSON.stringify(withChange([{ op: 'set_gate', kind: 'set_gpu_power_limit', set: { cap: 900 } }])))
    // Without --config only the structure is checked: valid.
    t.is(run(file).status, 0)
    const refused = run('--json', '--config', 'samples/engine.json', file)
    t.is(refused.status, 1)
    const report = JSON.parse(refused.stdout) as { files: { kind: string; problems: { path: string; message: string }[] }[] }
    t.is(report.files[0]!.kind, 'policy-proposal')
    t.like(report.files[0]!.problems[0], { path: '$.change[0].set.cap' })
    t.is(run('--config', 'samples/engine.json', '--allow-loosen', file).status, 0)
    const usage = run('--allow-loosen', file)
    t.is(usage.status, 2)
    t.regex(usage.stderr, /--allow-loosen needs --config/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
