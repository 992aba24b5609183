// Deterministic experience rows for the store's tests: what tick `i` holds is a function of `i`,
// so a reader can tell a complete row from a torn one.
import type { ExperienceRow } from '../../src/guardian/experience/index.js'

export function experienceRow(i: number): ExperienceRow {
  return {
    tick: i,
    timeMs: i * 100,
    emergency: i % 17 === 0,
    state: { features: { 'feat.heat': (i % 10) / 10 }, variables: { 'cpu.util': (i % 100) / 100, 'power.total_w': 100 + (i % 50) } },
    firings: i % 2 === 0 ? [{ rule: 'hot', mode: 'active', held: false }] : [{ rule: 'trial', mode: 'shadow', held: i % 4 === 1 }],
    actions: Array.from({ length: i % 3 }, (_, k) => ({
      rule: k === 0 ? 'hot' : 'market',
      kind: k === 0 ? 'set_cpu_weight' : 'set_gpu_power_limit',
      target: k === 0 ? 'background' : 'gpu0',
      decision: 'approved' as const,
      value: i + k,
      outcome: 'applied' as const,
    })),
    violations: i % 23 === 0 ? [{ contract: 'safety_check', kind: 'invariant', violations: ['temp_cpu < 90.0'] }] : [],
    reward: i % 5 === 4 ? null : -i / 1000,
    ...(i % 5 === 4 ? { rewardError: 'power.total_w is absent' } : {}),
  }
}
