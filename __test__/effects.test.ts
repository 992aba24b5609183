import test from 'ava'
import {
  createDefaultChecker,
  Effect,
  EffectChecker,
  GamesaError,
  defaultGrants,
  isCapabilityDenied,
} from '@gamesa/core'

// `Effect` is declared as a const enum, so its values are listed rather than enumerated.
const ALL_EFFECTS: Effect[] = [
  Effect.CpuControl,
  Effect.GpuControl,
  Effect.MemoryControl,
  Effect.ThermalControl,
  Effect.PowerControl,
  Effect.ProcessControl,
  Effect.TelemetryRead,
  Effect.PolicyWrite,
  Effect.AuditRead,
]

test('the quick start: the built-in agents hold their documented effects', (t) => {
  const checker = createDefaultChecker()
  t.true(checker.canPerform('cpu_agent', Effect.CpuControl))
  t.false(checker.canPerform('cpu_agent', Effect.GpuControl))
  t.false(checker.canPerform('gpu_agent', Effect.PolicyWrite))
  const table = Object.fromEntries(defaultGrants().map((g) => [g.agent, g.effects]))
  t.deepEqual(table, {
    cpu_agent: [Effect.CpuControl, Effect.ProcessControl, Effect.TelemetryRead],
    gpu_agent: [Effect.GpuControl, Effect.TelemetryRead],
    thermal_agent: [Effect.ThermalControl, Effect.TelemetryRead],
    power_agent: [Effect.PowerControl, Effect.TelemetryRead],
    memory_agent: [Effect.MemoryControl, Effect.TelemetryRead],
  })
  for (const [agent, effects] of Object.entries(table)) {
    for (const e of ALL_EFFECTS) {
      t.is(checker.canPerform(agent, e), effects.includes(e), `${agent} ${e}`)
    }
  }
})

test('effects are snake_case strings', (t) => {
  t.deepEqual<string[], string[]>(ALL_EFFECTS, [
    'cpu_control',
    'gpu_control',
    'memory_control',
    'thermal_control',
    'power_control',
    'process_control',
    'telemetry_read',
    'policy_write',
    'audit_read',
  ])
})

test('default deny, with a reason', (t) => {
  const checker = new EffectChecker()
  const d = checker.check('someone', Effect.CpuControl, null, 1000)
  t.false(d.allowed)
  t.is(d.reason, "default deny: agent 'someone' holds no grants")
  t.is(d.seq, 0)
  t.is(checker.auditLength, 1)
})

test('grants expire (exclusive) at expiresAtMs', (t) => {
  const checker = new EffectChecker()
  checker.grant('gpu_agent', [Effect.GpuControl], { expiresAtMs: 2000, nowMs: 1000 })
  t.true(checker.canPerform('gpu_agent', Effect.GpuControl, undefined, 1999))
  const d = checker.check('gpu_agent', Effect.GpuControl, undefined, 2000)
  t.false(d.allowed)
  t.regex(d.reason, /expired \(now 2000\)/)
  // Without nowMs the current time is used: this grant is long expired by Date.now().
  t.false(checker.canPerform('gpu_agent', Effect.GpuControl))
  // And a grant expiring in the future of Date.now() holds now.
  checker.grant('gpu_agent', [Effect.GpuControl], { expiresAtMs: Date.now() + 60_000 })
  t.true(checker.canPerform('gpu_agent', Effect.GpuControl))
})

test('target scope: exact names and trailing-* prefixes', (t) => {
  const checker = new EffectChecker()
  checker.grant('cpu_agent', [Effect.CpuControl], { targets: ['cpu.core*', 'package0'], nowMs: 0 })
  t.true(checker.canPerform('cpu_agent', Effect.CpuControl, 'cpu.core3', 1))
  t.true(checker.canPerform('cpu_agent', Effect.CpuControl, 'package0', 1))
  t.false(checker.canPerform('cpu_agent', Effect.CpuControl, 'package1', 1))
  t.false(checker.canPerform('cpu_agent', Effect.CpuControl, undefined, 1), 'a scoped grant needs a target')
  t.deepEqual(checker.grants('cpu_agent'), [
    { effects: [Effect.CpuControl], targets: ['cpu.core*', 'package0'], grantedAtMs: 0 },
  ])
  const err = t.throws(() => checker.grant('cpu_agent', [Effect.CpuControl], { targets: ['cpu.*.freq'] }))
  t.true(err instanceof GamesaError)
  t.is((err as GamesaError).code, 'INVALID_ARGUMENT')
})

test('require throws CAPABILITY_DENIED naming agent, effect, target and reason', (t) => {
  const checker = createDefaultChecker({ nowMs: 0 })
  t.true(checker.require('thermal_agent', Effect.ThermalControl, 'fan0', 1).allowed)
  const err = t.throws(() => checker.require('thermal_agent', Effect.PowerControl, 'pl1', 2))
  t.true(err instanceof GamesaError)
  t.is((err as GamesaError).code, 'CAPABILITY_DENIED')
  t.true(isCapabilityDenied(err))
  t.regex(err!.message, /thermal_agent.*power_control.*pl1.*default deny/)
  const last = checker.auditRecords(checker.auditLength - 1)[0]!
  t.like(last, { agent: 'thermal_agent', decision: 'denied', effect: Effect.PowerControl, target: 'pl1', timeMs: 2 })
})

test('revoke removes a grant and is audited', (t) => {
  const checker = createDefaultChecker({ nowMs: 0 })
  t.is(checker.revoke('cpu_agent', Effect.ProcessControl, 5), 1)
  t.false(checker.canPerform('cpu_agent', Effect.ProcessControl, null, 6))
  t.true(checker.canPerform('cpu_agent', Effect.CpuControl, null, 6))
  t.is(checker.revoke('cpu_agent', null, 7), 2)
  t.false(checker.canPerform('cpu_agent', Effect.CpuControl, null, 8))
  const revoked = checker.auditRecords().filter((r) => r.decision === 'revoked')
  t.deepEqual(
    revoked.map((r) => r.effect),
    [Effect.ProcessControl, Effect.CpuControl, Effect.TelemetryRead],
  )
  t.true(checker.verifyAudit().ok)
})

test('bad arguments throw INVALID_ARGUMENT and record nothing', (t) => {
  const checker = new EffectChecker()
  const cases: Array<() => unknown> = [
    () => checker.canPerform('', Effect.CpuControl),
    () => checker.canPerform('a', 'cpu' as Effect),
    () => checker.canPerform('a', Effect.CpuControl, 'x', -1),
    () => checker.canPerform('a', Effect.CpuControl, 'x', 1.5),
    () => checker.grant('a', []),
    () => checker.grant('a', [Effect.CpuControl], { targets: [] }),
    () => checker.grant('a', [Effect.CpuControl], { expiresAtMs: 5, nowMs: 10 }),
    () => checker.auditRecords(-1),
  ]
  for (const c of cases) {
    const err = t.throws(c)
    t.is((err as GamesaError).code, 'INVALID_ARGUMENT', err?.message)
  }
  t.is(checker.auditLength, 0)
})
