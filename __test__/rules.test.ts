// Rules as users call them: compileRuleSet over the catalog (plus features), evaluate with
// active and shadow firings, hysteresis, cooldowns, isolated errors, and every problem of a
// bad rule set at once.
import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import {
  DocumentProblemsError,
  GamesaError,
  type MicroInferenceRule,
  MicroInferenceRuleSchema,
  Priority,
  RuleSetSchema,
  SignalDomain,
  SignalKind,
  compileFeatures,
  compileRuleSet,
} from '@gamesa/core'

const rule = (id: string, when: string, extra: Partial<MicroInferenceRule> = {}): MicroInferenceRule => ({
  id,
  domain: 'thermal',
  priority: 'high',
  when,
  action: { kind: 'cap_cpu_frequency', target: 'cpu', params: { maxFreqRatio: 0.75 } },
  ...extra,
})

test('a rule fires, latches with hysteresis and releases', (t) => {
  const rules = compileRuleSet(
    rule('guard', 'thermal.cpu_c >= 90.0', {
      hysteresis: { releaseWhen: 'thermal.cpu_c < 80.0' },
      emitsSignal: { kind: 'thermal_critical', strength: '(thermal.cpu_c - 80.0) / 20.0' },
    }),
  )
  const at = (c: number, now: number) => rules.evaluate({ 'thermal.cpu_c': c }, now)
  t.deepEqual(at(85, 0).active, [])
  const fired = at(95, 100).active
  t.deepEqual(fired, [
    {
      ruleId: 'guard',
      priority: Priority.High,
      domain: SignalDomain.Thermal,
      mode: 'active',
      action: { kind: 'cap_cpu_frequency', target: 'cpu', params: { maxFreqRatio: 0.75 } },
      held: false,
      signal: { kind: SignalKind.ThermalCritical, strength: 0.75 },
    },
  ])
  t.true(rules.isLatched('guard'))
  t.true(at(85, 200).active[0]?.held)
  t.deepEqual(at(79, 300).active, [])
  t.false(rules.isLatched('guard'))
  t.like(rules.stats(), { evaluations: 4, activeFirings: 2, latched: 0 })
})

test('cooldowns, shadow rules and error isolation', (t) => {
  const rules = compileRuleSet(
    [
      rule('cool', 'cpu.util > 0.5', { cooldownMs: 1000, priority: 'low' }),
      rule('trial', 'cpu.util > 0.5', { mode: 'shadow' }),
      rule('needs_gpu', 'gpu0.util > 0.5', { priority: 'critical' }),
      rule('divides', 'int(cpu.util * 0.0) / 0 > 1', { priority: 'critical' }),
    ],
    { variables: { 'cpu.util': 'double', 'gpu0.util': 'double' } },
  )
  const first = rules.evaluate({ 'cpu.util': 0.9 }, 0)
  t.deepEqual(first.active.map((f) => f.ruleId), ['cool'])
  t.deepEqual(first.shadow.map((f) => f.ruleId), ['trial'])
  t.deepEqual(
    first.errors.map((e) => [e.ruleId, e.part, e.kind]),
    [
      ['divides', 'when', 'division_by_zero'],
      ['needs_gpu', 'when', 'missing_binding'],
    ],
  )
  t.deepEqual(rules.evaluate({ 'cpu.util': 0.9 }, 500).active, [])
  t.deepEqual(rules.evaluate({ 'cpu.util': 0.9 }, 1000).active.map((f) => f.ruleId), ['cool'])
  rules.reset()
  t.is(rules.stats().evaluations, 0)
})

test('every bad rule is reported at once with id, path and position', (t) => {
  const e = t.throws(() =>
    compileRuleSet({
      rules: [
        rule('ok', 'thermal.cpu_c > 1.0'),
        rule('typo', 'thermal.cpu_cc > 1.0'),
        rule('not_bool', 'thermal.cpu_c'),
        rule('ok', 'true'),
      ],
    }),
  )
  t.true(e instanceof DocumentProblemsError)
  t.is((e as GamesaError).code, 'INVALID_RULE')
  const problems = (e as DocumentProblemsError).problems
  t.deepEqual(
    problems.map((p) => [p.id, p.path, p.line ?? null, p.column ?? null]),
    [
      ['typo', '$.rules[1].when', 1, 1],
      ['not_bool', '$.rules[2].when', null, null],
      ['ok', '$.rules[3].id', null, null],
    ],
  )
  t.regex(problems[0]?.message ?? '', /thermal\.cpu_c/)
})

test('the samples compile together with the sample features and follow their schemas', (t) => {
  const features = compileFeatures(readFileSync('samples/scale_presets.json', 'utf8'))
  const files = [
    'samples/micro_inference_rule.json',
    ...readdirSync('samples/rules').map((f) => `samples/rules/${f}`),
  ]
  const rules = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as MicroInferenceRule)
  for (const [i, r] of rules.entries()) t.true(MicroInferenceRuleSchema.safeParse(r).success, files[i])
  t.true(RuleSetSchema.safeParse({ rules }).success)
  const set = compileRuleSet(rules, { features })
  t.true(set.variables.some((v) => v.name === 'feat.cpu_heat'))
  const out = set.evaluate(
    {
      'cpu.util': 0.97,
      'thermal.cpu_c': 92,
      'thermal.headroom_c': 8,
      'mem.used_ratio': 0.5,
      'mem.psi_some_avg10': 0,
      'gpu0.util': 0.1,
      'gpu0.temp_c': 60,
      'gpu0.power_w': 200,
      'gpu0.power_limit_w': 400,
      'gpu0.power_min_w': 100,
      'gpu0.sm_clock_mhz': 1800,
    },
    0,
  )
  t.deepEqual(out.errors, [])
  t.deepEqual(out.active.map((f) => f.ruleId), ['cpu_thermal_guard'])
  t.deepEqual(out.shadow.map((f) => f.ruleId), ['gpu0_idle_downclock'])
  t.is(out.active[0]?.signal?.kind, SignalKind.ThermalCritical)
})

test('bad arguments are GamesaErrors', (t) => {
  const code = (f: () => unknown) => (t.throws(f) as GamesaError | undefined)?.code
  const rules = compileRuleSet(rule('a', 'n > 1'), { variables: { n: 'int' } })
  t.is(code(() => rules.evaluate({ n: 1.5 })), 'INVALID_ARGUMENT')
  t.is(code(() => rules.evaluate({ n: 'x' as never })), 'INVALID_ARGUMENT')
  t.is(code(() => rules.evaluate({ n: 2 }, Number.NaN)), 'INVALID_ARGUMENT')
  t.is(code(() => rules.isLatched('zz')), 'INVALID_ARGUMENT')
  t.is(code(() => compileRuleSet('{')), 'INVALID_RULE')
  t.is(code(() => compileRuleSet([], { variables: { n: 'float' as never } })), 'INVALID_ARGUMENT')
})

test('undeclared snapshot keys are ignored and prototype members are never read', (t) => {
  const rules = compileRuleSet(rule('c', 'constructor > 1.0'), { variables: Object.fromEntries([['constructor', 'double']]) as Record<string, 'double'> })
  const absent = rules.evaluate({ other: 5 }, 0)
  t.deepEqual(absent.errors.map((e) => e.kind), ['missing_binding'])
  t.deepEqual(rules.evaluate({ constructor: 2, other: 5 } as never, 1).active.map((f) => f.ruleId), ['c'])
  t.deepEqual(rules.evaluate({ constructor: true } as never, 2).active, [])
})

test('firings share frozen rule definitions; non-JSON input is an argument error', (t) => {
  const rules = compileRuleSet(rule('a', 'true'), { variables: {} })
  const firing = rules.evaluate({}, 0).active[0]
  t.true(Object.isFrozen(firing?.action))
  t.true(Object.isFrozen(rules.rules[0]?.action.params))
  const e = t.throws(() => compileRuleSet({ rules: [{ ...rule('b', 'true'), cooldownMs: 1n as never }] }))
  t.is((e as GamesaError).code, 'INVALID_ARGUMENT')
})
