// What a capability check costs from JS: `canPerform` on an in-memory checker (allowed,
// denied, scoped), the same with the audit file (write + flush per record, no fsync), against
// the bare cost of a native call (`noop`). Every check appends a hashed audit record, so this
// is the cost of check + SHA-256 + record, not of a lookup alone.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/effects.bench.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDefaultChecker, Effect, EffectChecker, verifyAuditNdjson } from '@gamesa/core'
import { noop } from '../index.js'
import { bench, report } from './harness.js'

const NOW = 1_700_000_000_000
const opts = { samples: 100, warmup: 10, opsPerSample: 500 }

const memory = createDefaultChecker({ nowMs: NOW })
const scoped = new EffectChecker()
scoped.grant('gpu_agent', [Effect.GpuControl], { targets: ['gpu0', 'gpu1', 'cpu.core*'], expiresAtMs: NOW + 1e9, nowMs: NOW })

const dir = mkdtempSync(join(tmpdir(), 'gamesa-bench-'))
const filed = createDefaultChecker({ auditPath: join(dir, 'audit.ndjson'), nowMs: NOW })

const results = [
  bench('noop (native call baseline)', () => noop(), opts),
  bench('canPerform allowed, in memory', () => memory.canPerform('cpu_agent', Effect.CpuControl, null, NOW), opts),
  bench('canPerform denied, in memory', () => memory.canPerform('gpu_agent', Effect.PolicyWrite, null, NOW), opts),
  bench('canPerform scoped target (3 patterns)', () => scoped.canPerform('gpu_agent', Effect.GpuControl, 'cpu.core7', NOW), opts),
  bench('canPerform without nowMs (Date.now)', () => memory.canPerform('cpu_agent', Effect.CpuControl), opts),
  bench('canPerform allowed, audit file (no fsync)', () => filed.canPerform('cpu_agent', Effect.CpuControl, null, NOW), {
    ...opts,
    opsPerSample: 200,
  }),
]

// Verification throughput: the whole exported trail of the in-memory checker, per record.
const text = memory.exportAuditNdjson()
const n = memory.auditLength
results.push(bench(`verifyAuditNdjson, per record (${n} records)`, () => verifyAuditNdjson(text), { samples: 5, warmup: 1, opsPerSample: 1, opsPerCall: n }))

report('effects', results)
rmSync(dir, { recursive: true, force: true })
