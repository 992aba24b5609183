// Contracts from TypeScript: the Quick Start lines unchanged, SAFETY_CONTRACT as the Rust
// definition, fail-closed checks, registration errors and the context conversion.
import test from 'ava'
import { readFileSync } from 'node:fs'
import {
  ContractSchema,
  GamesaError,
  ContractConditionKind,
  ContractValidator,
  SAFETY_CONTRACT,
  contractProblems,
  createContractValidator,
  type ContractDefinition,
} from '@gamesa/core'
import { NativeContractSet } from '../index.js'

test('the Quick Start runs unchanged and the safe context is ok', (t) => {
  const validator = createContractValidator()
  const result = validator.checkInvariants('safety_check', { temp_cpu: 72, temp_gpu: 68 })

  t.true(result.ok)
  t.deepEqual(result.violations, [])
  t.falsy(result.response)
  t.deepEqual(
    result.skipped.map((s) => s.condition),
    ['temp_gpu_hotspot < 100.0'],
    'only the optional hotspot condition is skipped',
  )
})

test('a hot context violates, naming the condition, the values and the response', (t) => {
  const validator = createContractValidator()
  const result = validator.checkInvariants('safety_check', { temp_cpu: 97.5, temp_gpu: 68 })
  t.false(result.ok)
  t.is(result.response as string, 'signal')
  t.is(result.violations.length, 1)
  const [v] = result.violations
  t.is(v!.contract, 'safety_check')
  t.is(v!.condition, 'temp_cpu < 95.0')
  t.is(v!.kind as string, 'invariant')
  t.is(v!.index, 0)
  t.is(v!.reason as string, 'failed')
  t.deepEqual(v!.values, { temp_cpu: 97.5 })
  t.deepEqual(v!.missing, [])
  t.is(v!.message, 'invariant `temp_cpu < 95.0` of contract `safety_check` is false (temp_cpu = 97.5)')

  const both = validator.checkInvariants('safety_check', { temp_cpu: 99, temp_gpu: 91, temp_gpu_hotspot: 104 })
  t.deepEqual(
    both.violations.map((x) => x.condition),
    ['temp_cpu < 95.0', 'temp_gpu < 90.0', 'temp_gpu_hotspot < 100.0'],
  )
})

test('SAFETY_CONTRACT is the Rust definition, frozen, and equal to the sample', (t) => {
  t.is(SAFETY_CONTRACT.name, 'safety_check')
  t.is(SAFETY_CONTRACT.onViolation, 'signal')
  t.deepEqual(SAFETY_CONTRACT.invariants, [
    'temp_cpu < 95.0',
    'temp_gpu < 90.0',
    'temp_cpu > 0.0',
    'temp_gpu > 0.0',
    'temp_gpu_hotspot < 100.0',
  ])
  t.deepEqual(SAFETY_CONTRACT.variables, {
    temp_cpu: 'double',
    temp_gpu: 'double',
    temp_gpu_hotspot: { type: 'double', optional: true },
  })
  t.true(Object.isFrozen(SAFETY_CONTRACT))
  t.true(Object.isFrozen(SAFETY_CONTRACT.invariants))
  t.true(ContractSchema.safeParse(SAFETY_CONTRACT).success)
  const { $schema, ...sample } = JSON.parse(readFileSync('samples/contracts/safety_check.json', 'utf8')) as ContractDefinition
  t.is($schema, '../../schemas/contract.schema.json')
  t.deepEqual(sample, { ...SAFETY_CONTRACT })
  t.deepEqual(createContractValidator().definition('safety_check'), { ...SAFETY_CONTRACT })
})

test('missing required variables fail closed; undefined and null count as missing', (t) => {
  const validator = createContractValidator()
  for (const context of [{ temp_cpu: 72 }, { temp_cpu: 72, temp_gpu: undefined }, { temp_cpu: 72, temp_gpu: null }]) {
    const result = validator.checkInvariants('safety_check', context)
    t.false(result.ok)
    t.deepEqual(
      result.violations.map((v) => [v.condition, v.reason as string, v.missing]),
      [
        ['temp_gpu < 90.0', 'missing_variable', ['temp_gpu']],
        ['temp_gpu > 0.0', 'missing_variable', ['temp_gpu']],
      ],
    )
  }
  t.is(validator.checkInvariants('safety_check', {}).violations.length, 4)
})

test('context entries the contract does not declare are ignored, whatever their type', (t) => {
  const validator = createContractValidator()
  const snapshot = { temp_cpu: 72, temp_gpu: 68, host: 'desk', gpu: { name: 'x' }, 'cpu.util': 0.4 } as never
  t.true(validator.checkInvariants('safety_check', snapshot).ok)
  // An inherited property is not the context's own value: still missing.
  const inherited = Object.create({ temp_gpu: 68 }) as Record<string, number>
  inherited.temp_cpu = 72
  t.false(validator.checkInvariants('safety_check', inherited).ok)
})

const trim: ContractDefinition = {
  name: 'gpu_power_trim',
  variables: { 'gpu.limit_w': 'double', 'before.limit_w': 'double', steps: 'int', big: 'int' },
  pre: ['gpu.limit_w > 0.0', 'steps >= 0'],
  post: ['gpu.limit_w <= before.limit_w'],
  invariants: ['100 / steps >= 1', 'big + 1 > big'],
  onViolation: 'rollback',
}

test('pre, post and invariants of a registered contract', (t) => {
  const validator = createContractValidator({ contracts: [trim] })
  t.deepEqual(validator.names(), ['gpu_power_trim', 'safety_check'])
  t.true(validator.checkPre('gpu_power_trim', { 'gpu.limit_w': 200, steps: 2 }).ok)
  const post = validator.checkPost('gpu_power_trim', { 'gpu.limit_w': 250, 'before.limit_w': 220 })
  t.false(post.ok)
  t.is(post.response as string, 'rollback')
  t.deepEqual(post.violations[0]!.values, { 'before.limit_w': 220, 'gpu.limit_w': 250 })
  t.is(post.violations[0]!.kind as string, 'post')
})

test('an evaluation error is a violation carrying the error; 64-bit ints cross as BigInt', (t) => {
  const validator = createContractValidator({ contracts: [trim] })
  const result = validator.checkInvariants('gpu_power_trim', { steps: 0, big: 9223372036854775807n })
  t.is(result.violations.length, 2)
  t.is(result.violations[0]!.reason as string, 'eval_error')
  t.regex(result.violations[0]!.error!, /division|zero/i)
  t.is(result.violations[1]!.reason as string, 'eval_error')
  t.deepEqual(result.violations[1]!.values, { big: 9223372036854775807n })
  t.true(validator.checkInvariants('gpu_power_trim', { steps: 50, big: 3 }).ok)
})

test('a fractional number for an int variable is an invalid_value violation', (t) => {
  const validator = createContractValidator({ contracts: [trim] })
  const result = validator.checkPre('gpu_power_trim', { 'gpu.limit_w': 200, steps: 2.5 })
  t.is(result.violations.length, 1)
  t.is(result.violations[0]!.reason as string, 'invalid_value')
  t.regex(result.violations[0]!.error!, /`steps` is declared int .*not a whole number/)
})

test('errors: unknown contract, duplicate name, invalid definitions, bad context values', (t) => {
  const validator = createContractValidator()
  const unknown = t.throws(() => validator.checkPre('safety_chek', { temp_cpu: 1 }))
  t.true(unknown instanceof GamesaError)
  t.is((unknown as GamesaError).code, 'UNKNOWN_CONTRACT')
  t.regex(unknown!.message, /safety_chek.*registered: safety_check/)

  const weaker: ContractDefinition = { ...SAFETY_CONTRACT, invariants: ['temp_cpu < 150.0'] }
  t.is((t.throws(() => validator.register(weaker)) as GamesaError).code, 'DUPLICATE_ID')
  t.true(validator.replace(weaker))
  t.true(validator.checkInvariants('safety_check', { temp_cpu: 120, temp_gpu: 1 }).ok)

  const structural = t.throws(() =>
    validator.register({ name: 'x', invariant: ['true'], onViolation: 'explode' } as unknown as ContractDefinition),
  ) as GamesaError
  t.is(structural.code, 'INVALID_CONTRACT')
  t.regex(structural.message, /2 problems.*\$\.onViolation.*\$\.invariant: unknown field/)

  const compile = t.throws(() =>
    validator.register({ name: 'y', variables: { temp: 'double' }, invariants: ['tmp < 1.0', 'temp +'], onViolation: 'clamp' }),
  ) as GamesaError
  t.is(compile.code, 'INVALID_CONTRACT')
  t.regex(compile.message, /\$\.invariants\[0\] \(line 1, column 1\).*did you mean `temp`.*\$\.invariants\[1\] \(line 1, column \d+\)/)

  const bad = t.throws(() => validator.checkInvariants('safety_check', { temp_cpu: '72' } as never)) as GamesaError
  t.is(bad.code, 'INVALID_ARGUMENT')
  t.regex(bad.message, /context\.temp_cpu must be a number, bigint or boolean, got string/)
  t.is((t.throws(() => validator.checkInvariants('safety_check', null as never)) as GamesaError).code, 'INVALID_ARGUMENT')
})

test('contractProblems reports every structural issue, then every compile problem', (t) => {
  t.deepEqual(contractProblems({ ...SAFETY_CONTRACT }), [])
  t.deepEqual(
    contractProblems({ name: 'bad name', variables: { '1x': 'float' }, onViolation: 'signal', extra: 1 }).map((p) => p.path),
    // zod checks a record value only when its key is valid: one problem for `1x`.
    ['$.name', '$.variables["1x"]', '$.extra'],
  )
  const problems = contractProblems({ name: 'n', variables: { a: 'int' }, pre: ['a >'], invariants: ['b > 0', 'a > 0'], onViolation: 'signal' })
  t.deepEqual(
    problems.map((p) => [p.path, p.line]),
    [
      ['$.pre[0]', 1],
      ['$.invariants[0]', 1],
    ],
  )
})

test('a validator without the safety contract', (t) => {
  const validator = new ContractValidator(false)
  t.deepEqual(validator.names(), [])
  t.false(createContractValidator({ safety: false }).has('safety_check'))
  t.is(validator.definition('safety_check'), undefined)
})

test('the packed fast path answers exactly as the object path', (t) => {
  const mixed: ContractDefinition = {
    name: 'mixed',
    variables: {
      load: 'double',
      boost: 'bool',
      cores: 'int',
      'opt.a': { type: 'double', optional: true },
      'opt.b': { type: 'double', optional: true },
    },
    pre: ['boost || load < 0.5', 'opt.a + opt.b < 10.0'],
    post: ['cores >= 1', 'opt.b < load'],
    invariants: ['load >= 0.0', 'cores < 64 || !boost'],
    onViolation: 'clamp',
  }
  const validator = createContractValidator({ contracts: [mixed] })
  const reference = new NativeContractSet(true)
  reference.register(JSON.stringify(mixed))
  const contexts: Record<string, number | boolean>[] = [
    { load: 0.3, boost: false, cores: 4 },
    { load: 0.9, boost: true, cores: 4, 'opt.a': 1 },
    { load: 0.9, boost: false, cores: 80, 'opt.a': 1, 'opt.b': 2 },
    { load: 0.2, boost: true, cores: 2.5, 'opt.b': 0.1 },
    { load: Number.NaN, cores: 0 },
    {},
  ]
  const kinds = [
    [ContractConditionKind.Pre, 'checkPre'],
    [ContractConditionKind.Post, 'checkPost'],
    [ContractConditionKind.Invariant, 'checkInvariants'],
  ] as const
  let compared = 0
  for (const name of ['mixed', 'safety_check']) {
    for (const context of [...contexts, { temp_cpu: 72, temp_gpu: 68 }, { temp_cpu: 99, temp_gpu: 68, temp_gpu_hotspot: 50 }]) {
      for (const [kind, method] of kinds) {
        const fast = validator[method](name, context)
        const slow = reference.check(name, kind, context)
        t.is(JSON.stringify(fast), JSON.stringify(slow), `${name} ${kind} ${JSON.stringify(context)}`)
        compared++
      }
    }
  }
  t.is(compared, 2 * 8 * 3)
  // Two absent optional variables in one condition are both named.
  t.deepEqual(validator.checkPre('mixed', { load: 0.1, boost: false }).skipped, [
    { condition: 'opt.a + opt.b < 10.0', kind: ContractConditionKind.Pre, index: 1, absent: ['opt.a', 'opt.b'] },
  ])
})
