// The decisions of a tick as Prometheus series: ticks and how long the engine took (a
// histogram), emergency mode, rule firings (active and shadow), rule errors, signals, the
// gate's decisions by outcome and reason, and contract violations. Counters only grow; the
// gauge follows the last tick.
import { type Registry, Counter, Gauge, Histogram } from 'prom-client'
import type { LiveTickOutput } from '../report/run_frame.js'

/**
 * A tick as `gamesa run` has it, on either of its paths: the decisions of the live view's fast
 * path (`Engine.tickValues`, prices under `market`, contract violations counted in
 * `violations`) or the full output of `--json` (`Engine.tickJson`, the checks in `contracts`).
 */
export type RunTick = LiveTickOutput & { violations?: number; contracts?: ReadonlyArray<{ status: string }> }

function violations(tick: RunTick): number {
  return tick.violations ?? tick.contracts?.filter((c) => c.status === 'violated').length ?? 0
}

/**
 * Tick-duration buckets, seconds: a tick of the shipped configuration takes tens of µs in a
 * release build and a few hundred µs in a debug one (BENCHMARKS.md); the top buckets catch a
 * tick that misses a 10 Hz period.
 */
export const TICK_BUCKETS_S = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1]

export class DecisionMetrics {
  readonly #ticks: Counter
  readonly #tickErrors: Counter
  readonly #duration: Histogram
  readonly #emergency: Gauge
  readonly #firings: Counter<'rule' | 'mode'>
  readonly #ruleErrors: Counter<'rule'>
  readonly #signals: Counter<'kind' | 'domain'>
  readonly #decisions: Counter<'outcome' | 'reason' | 'kind'>
  readonly #violations: Counter

  constructor(registry: Registry) {
    const registers = [registry]
    this.#ticks = new Counter({ name: 'gamesa_ticks_total', help: 'Engine ticks run.', registers })
    this.#tickErrors = new Counter({ name: 'gamesa_tick_errors_total', help: 'Readings the engine refused (the run went on with the next one).', registers })
    this.#duration = new Histogram({ name: 'gamesa_tick_duration_seconds', help: 'Time the engine took per tick (the tick call only, not the telemetry reading).', buckets: TICK_BUCKETS_S, registers })
    this.#emergency = new Gauge({ name: 'gamesa_emergency_mode', help: '1 while a safety signal holds the gate in emergency mode (only safety actions pass), else 0.', registers })
    this.#firings = new Counter({ name: 'gamesa_rule_firings_total', help: 'Rule firings, by rule and mode (active, or shadow: evaluated but not acted on).', labelNames: ['rule', 'mode'], registers })
    this.#ruleErrors = new Counter({ name: 'gamesa_rule_errors_total', help: 'Rule evaluations that failed (for example a variable absent from the reading).', labelNames: ['rule'], registers })
    this.#signals = new Counter({ name: 'gamesa_signals_total', help: 'Signals dequeued, by kind and domain.', labelNames: ['kind', 'domain'], registers })
    this.#decisions = new Counter({
      name: 'gamesa_gate_decisions_total',
      help: "The gate's decisions on proposed actions: outcome approved (reason none) or rejected (the reason code), by action kind.",
      labelNames: ['outcome', 'reason', 'kind'],
      registers,
    })
    this.#violations = new Counter({ name: 'gamesa_contract_violations_total', help: 'Contract checks (invariants and postconditions) that were violated.', registers })
  }

  /** One tick, and how long the engine took for it. */
  observe(output: RunTick, seconds: number): void {
    this.#ticks.inc()
    this.#duration.observe(seconds)
    this.#emergency.set(output.emergency === true ? 1 : 0)
    for (const f of output.firings.active) this.#firings.inc({ rule: f.rule, mode: 'active' })
    for (const f of output.firings.shadow) this.#firings.inc({ rule: f.rule, mode: 'shadow' })
    for (const e of output.ruleErrors ?? []) this.#ruleErrors.inc({ rule: e.rule })
    for (const s of output.signals) this.#signals.inc({ kind: s.kind, domain: s.domain })
    for (const a of output.approved) this.#decisions.inc({ outcome: 'approved', reason: 'none', kind: a.kind })
    for (const r of output.rejected) this.#decisions.inc({ outcome: 'rejected', reason: r.reason, kind: r.kind })
    this.#violations.inc(violations(output))
  }

  /** A reading the engine refused. */
  tickFailed(): void {
    this.#tickErrors.inc()
  }
}
