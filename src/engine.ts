// TypeScript layer of the engine (crates/gamesa-core/src/engine): the zod schema of the
// engine configuration (the source of schemas/engine.schema.json), the `Engine` class, replay
// and backtest entry points. Everything a tick does is the Rust core's; tick outputs cross as
// JSON text (the same bytes `gamesa replay` writes) and are parsed here once, except the live
// path's decisions (`tickValues`), which cross packed (./decisions.ts).
import { z } from 'zod'
import {
  NativeEngine,
  NativeReplay,
  type ScenarioInfo,
  nativeBuiltinScenarios,
  checkEngineConfigJson,
  nativeRunBacktest,
  nativeRunBacktestRecorded,
  nativeRunBacktestSuite,
} from '../index.js'
import { AllocatorConfigSchema } from './allocation.js'
import { RESOURCE_NAMES, type ResourceName } from './catalog.js'
import { DecisionDecoder } from './decisions.js'
import { ContractSchema, zodProblems } from './contracts.js'
import { GamesaError } from './errors.js'
import { readDocument, sameFile } from './files.js'
import { type DocumentProblem, DocumentProblemsError, FeatureSchema, ScalePresetSchema, documentText } from './features.js'
import { gateConfigSchema } from './gate.js'
import { AgentStructure, BidStructure, marketConfigSchema } from './market.js'
import type { BacktestReport } from './report/types.js'
import { MicroInferenceRuleSchema } from './rules.js'
import type { TelemetrySnapshot } from './telemetry.js'


/** A contract whose invariants are checked every tick, and where its variables come from. */
export const InvariantBindingSchema = z.strictObject({
  contract: z.string().describe('A contract name: the built-in safety_check or one of `contracts`.'),
  bind: z
    .record(z.string(), z.string())
    .optional()
    .describe('Contract variable → snapshot variable or feature, e.g. {"temp_cpu": "thermal.cpu_c"}.'),
  skipWithoutSensors: z
    .boolean()
    .optional()
    .describe('Report conditions whose bound sensors are all absent as skipped instead of violated (default true).'),
})

/** What a bid's grant becomes: a setting proposed through the gate every tick it changes. */
export const BidSetsSchema = z.strictObject({
  kind: z.string().describe("The gate's action kind; its agent must be the bidder."),
  target: z.string().describe('What it applies to (gpu0, cpu, priority).'),
  value: z
    .string()
    .describe("A numeric expression of `grant` (the amount won this tick, in the resource's unit) and the snapshot: the new value."),
  safety: z
    .boolean()
    .optional()
    .describe("A change in the kind's safeDirection is a safety action: it passes at once and during an emergency (default false)."),
})

/** A bid in an engine configuration: the market's bid, repeated per GPU and turned into a setting where it says so. */
export const EngineBidSchema = BidStructure.extend({
  forEach: z
    .literal('gpu')
    .optional()
    .describe('One bid per GPU of the telemetry catalog (gpu0 … gpu7), with {gpu} and {gpu.index} replaced; a GPU the machine lacks bids nothing.'),
  sets: BidSetsSchema.optional(),
})

/** An agent in an engine configuration. */
export const EngineAgentSchema = AgentStructure.extend({
  bids: z.array(EngineBidSchema).optional().describe('Standing bids (default none).'),
})

/** Options of the signal queue between rules and the market. */
export const SignalOptionsSchema = z.strictObject({
  ttlMs: z.number().min(0).optional().describe('How long a raised signal stays relevant, ms (default 1000).'),
  maxPerTick: z.number().int().min(0).optional().describe('Signals dequeued per tick, most urgent first (default 32).'),
  capacity: z.number().int().min(1).optional().describe('Queue capacity (default 1024).'),
})

/**
 * The engine configuration (`samples/engine.json`, docs/engine.md). Every top-level field is
 * `nullish`: the Rust decoder reads each section as an `Option`, so `null` means "absent, use
 * the default" there, and both sides must give the same verdict (samples/engine_configs/).
 */
export const EngineConfigSchema = z
  .strictObject({
    $schema: z.string().nullish().describe('The JSON Schema of this file, for editors.'),
    description: z.string().nullish(),
    tickMs: z.number().positive().nullish().describe('Nominal tick spacing in ms (default 100 = 10 Hz).'),
    variables: z
      .record(z.string(), z.enum(['int', 'uint', 'double', 'bool']))
      .nullish()
      .describe('Input variables beyond the telemetry catalog, with their types.'),
    // Every section's structure (so the JSON Schema describes it); what the values mean is
    // checked by the core when it builds the engine (checkEngineConfigJson).
    pools: AllocatorConfigSchema.shape.pools
      .nullish()
      .describe('Allocator pools, as in samples/allocation_schema.json (default: that file).'),
    market: marketConfigSchema.nullish(),
    agents: z.array(EngineAgentSchema).nullish(),
    presets: z.record(z.string(), ScalePresetSchema).nullish(),
    features: z.array(FeatureSchema).nullish(),
    rules: z.array(MicroInferenceRuleSchema).nullish(),
    contracts: z.array(ContractSchema).nullish(),
    invariants: z
      .array(InvariantBindingSchema)
      .nullish()
      .describe('Default: safety_check bound to thermal.cpu_c and gpu0.temp_c.'),
    gate: gateConfigSchema.nullish(),
    signals: SignalOptionsSchema.nullish(),
    capacityFrom: z
      .partialRecord(z.enum(RESOURCE_NAMES), z.string())
      .nullish()
      .describe(
        'Pools whose capacity follows an expression of the snapshot each tick, e.g. {"power_budget": "power.cap_w * 950.0"}; where its variables are absent the configured capacity stays.',
      ),
    auditRetention: z.number().int().min(1).nullish().describe('Audit records kept in memory (default 4096).'),
    reward: z
      .string()
      .nullish()
      .describe(
        "The guardian's reward expression, judged one tick later: the next tick's variables, features (feat.<name>) and outcome.violations, outcome.emergency, outcome.approved, outcome.rejected, outcome.failed (doubles). The experience store records it; the engine does not read it.",
      ),
  })

/** A validated engine configuration. */
export type EngineConfig = z.infer<typeof EngineConfigSchema>

/**
 * Every problem of an engine configuration: the zod schema's (structure) and, when the
 * structure is right, the Rust engine's (expressions with line and column, references between
 * sections). Empty when the engine builds.
 */
export function checkEngineConfig(config: EngineConfig | string): DocumentProblem[] {
  const text = documentText(config, 'config')
  const structural = structuralProblems(text)
  return structural.length > 0 ? structural : checkEngineConfigJson(text)
}

/** zod's problems with the text, none when it is not JSON (the native side reports that, at `$`). */
function structuralProblems(text: string): DocumentProblem[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  const result = EngineConfigSchema.safeParse(parsed)
  // zodProblems names an unknown key at its own path ($.market.gain), as serde does.
  return result.success ? [] : zodProblems(result.error.issues)
}

function invalidConfig(problems: readonly DocumentProblem[], cause?: unknown): DocumentProblemsError {
  const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ')
  return new DocumentProblemsError('INVALID_ENGINE_CONFIG', `invalid engine config: ${list}`, problems, cause)
}

/**
 * Runs `build` (which hands `config`'s text to the native engine) after zod's structural check.
 * The native side checks the rest while it builds, so the engine is built once; only when it
 * refuses are its problems listed (`checkEngineConfigJson`) for the DocumentProblemsError.
 */
function withConfig<T>(config: EngineConfig | string, build: (text: string) => T): T {
  const text = documentText(config, 'config')
  const structural = structuralProblems(text)
  if (structural.length > 0) throw invalidConfig(structural)
  try {
    return build(text)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'INVALID_ENGINE_CONFIG') throw invalidConfig(checkEngineConfigJson(text), err)
    throw err
  }
}

/** JSON.stringify replacer for readings: NaN left out, ±Infinity as ±Number.MAX_VALUE. */
function finiteOnly(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value
  return Number.isNaN(value) ? undefined : value > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE
}

/** A dequeued signal. */
export interface TickSignal {
  kind: string
  domain: string
  strength: number
  source: string
}

/** A rule that fired. */
export interface TickFiring {
  rule: string
  priority: string
  domain: string
  held: boolean
  strength?: number
}

/** A candidate action with its score. */
export interface ScoredAction {
  id: string
  rule: string
  kind: string
  target: string
  agent: string
  mode: 'active' | 'shadow'
  benefit: number
  cost: number
  score: number
  chosen: boolean
}

/** An action the gate let through (dry-run: recorded, not applied). */
export interface ApprovedAction {
  id: string
  rule: string
  kind: string
  target: string
  agent: string
  effect: string
  value: number
  previous: number | null
  healing: boolean
  auditSeq: number
}

/** An action that was stopped, with the reason code and a message. */
export interface RejectedAction {
  id: string
  rule: string
  kind: string
  target: string
  reason: string
  message: string
  /** The value it would have set, when it got that far (absent otherwise). */
  value?: number
  auditSeq: number
}

/** Per-resource values, keyed by resource name. */
export type PerResource<T = number> = Record<ResourceName, T>

/** One tick's output (crates/gamesa-core/src/engine/output.rs). */
export interface TickOutput {
  tick: number
  nowMs: number
  emergency: boolean
  inputErrors?: string[]
  features: Record<string, number>
  featuresAbsent?: Record<string, string>
  signals: TickSignal[]
  firings: { active: TickFiring[]; shadow: TickFiring[] }
  ruleErrors?: { rule: string; message: string }[]
  market: {
    prices: PerResource
    nextPrices: PerResource
    demand: PerResource
    supply: PerResource
    grants: {
      agent: number
      resource: string
      requested: number
      amount: number
      unitPrice: number
      paid: number
      /** Why the bid got less than it asked, when that is not just competition. */
      note?: 'unknown_agent' | 'invalid_bid' | 'below_price' | 'no_budget' | 'no_capacity'
    }[]
    spent: number[]
    balances: number[]
    [key: string]: unknown
  }
  rates: PerResource<PerResource>
  scored: ScoredAction[]
  approved: ApprovedAction[]
  rejected: RejectedAction[]
  /** Changes to the agents' standing leases (one per agent and resource); unchanged ones are not listed. */
  allocations: {
    id: string
    agent: string
    resource: string
    change: 'granted' | 'resized' | 'released' | 'preempted' | 'failed'
    previous: number
    requested: number
    granted: number
    units?: number[]
    range?: [number, number]
    error?: string
  }[]
  contracts: {
    contract: string
    kind: 'invariant' | 'post'
    action?: string
    status: 'ok' | 'violated' | 'skipped'
    violations?: string[]
    skipped?: string[]
    response?: string
  }[]
  audit: { seq: number; time_ms: number; agent: string; decision: string; effect: string | null; target: string | null; reason: string; prev_hash: string; hash: string }[]
}

/**
 * What a live governor acts on each tick (`Engine.tickValues`): the decisions and what led to
 * them, without the per-bid clearing, lease changes, contract checks and audit records of the
 * full output (`Engine.lastTick` has those for the same tick).
 */
export interface TickDecisions extends Pick<TickOutput, 'tick' | 'nowMs' | 'emergency' | 'signals' | 'firings' | 'ruleErrors' | 'approved' | 'rejected'> {
  /** The prices this tick's round cleared at, and those posted for the next tick. */
  prices: PerResource
  nextPrices: PerResource
  /** Demand at the posted prices and the capacity offered, as in `market`. */
  demand: PerResource
  supply: PerResource
  /** How many standing leases changed (`allocations` of the full output). */
  leaseChanges: number
  /** How many contract checks were violated. */
  violations: number
  /** The audit sequence numbers written this tick, `[first, last]`; absent when none. */
  audit?: [number, number]
}

/** What `tick` accepts: a telemetry snapshot, or just its values. */
export type TickInput = Pick<TelemetrySnapshot, 'values'> & Partial<Pick<TelemetrySnapshot, 'timestampMs'>>

/**
 * The deterministic engine for one configuration: `tick(snapshot, nowMs)` turns one telemetry
 * snapshot into priced, gated, audited decisions. Dry-run: nothing is applied to the machine.
 * The same configuration and the same snapshots give byte-identical `tickJson` outputs.
 */
export class Engine {
  readonly #native: NativeEngine
  readonly #decoder = new DecisionDecoder()
  /** The input variables in the order `tickValues` expects. */
  readonly inputNames: readonly string[]

  /**
   * Builds an engine from a configuration object (checked by zod first) or JSON text.
   * Throws `INVALID_ENGINE_CONFIG` (a `DocumentProblemsError` listing every problem).
   */
  constructor(config: EngineConfig | string) {
    this.#native = withConfig(config, (text) => new NativeEngine(text))
    this.inputNames = Object.freeze(this.#native.inputNames())
  }

  /** Reads and builds the configuration in `path`. */
  static fromFile(path: string): Engine {
    return new Engine(readDocument(path, 'engine config'))
  }

  /** One tick; `nowMs` defaults to the snapshot's `timestampMs`. */
  tick(snapshot: TickInput, nowMs?: number): TickOutput {
    return JSON.parse(this.tickJson(snapshot, nowMs)) as TickOutput
  }

  /** One tick, its output as JSON text (what `gamesa replay` writes per line). */
  tickJson(snapshot: TickInput, nowMs?: number): string {
    const time = nowMs ?? snapshot.timestampMs
    if (typeof time !== 'number') {
      throw new GamesaError('INVALID_ARGUMENT', 'nowMs: give a time in ms, or a snapshot with timestampMs')
    }
    // NaN is absent, as in tickValues; ±Infinity is a reading (fail closed: an infinite
    // temperature must break a limit), sent as ±Number.MAX_VALUE, which JSON can carry. JSON
    // would write either as null, which is no number, and the whole tick would be refused.
    return this.#native.tickJson(JSON.stringify({ values: snapshot.values }, finiteOnly), time)
  }

  /** The fast path: one tick on values in `inputNames` order (NaN = absent), output as JSON. */
  tickValuesJson(values: Float64Array, nowMs: number): string {
    return this.#native.tickValues(values, nowMs)
  }

  /**
   * The live path: one tick on values in `inputNames` order (NaN = absent), returning only its
   * decisions. The full output stays on the native side until `lastTick`/`lastTickJson` asks.
   */
  tickValues(values: Float64Array, nowMs: number): TickDecisions {
    return this.#decoder.tick(this.#native, values, nowMs)
  }

  /** The live path's decisions as JSON text (what `tickValues` returns, before parsing). */
  tickValuesDecisionsJson(values: Float64Array, nowMs: number): string {
    return this.#native.tickValuesDecisions(values, nowMs)
  }

  /** The full output of the last tick (by any tick method) as JSON text; null before the first. */
  lastTickJson(): string | null {
    return this.#native.lastTickJson()
  }

  /** The full output of the last tick; null before the first. */
  lastTick(): TickOutput | null {
    const json = this.#native.lastTickJson()
    return json === null ? null : (JSON.parse(json) as TickOutput)
  }

  /** Ticks run so far. */
  get ticks(): number {
    return this.#native.ticks()
  }

  /** The audit records kept in memory, as NDJSON (verify with `verifyAuditTrail`). */
  auditNdjson(): string {
    return this.#native.auditNdjson()
  }

  /**
   * Replaces every rule (active and shadow) between two ticks, keeping the market, leases,
   * gate, contracts and audit trail as they are; the new rules start unlatched. `rules` is an
   * array of rules or its JSON text. A rule that does not compile against the engine's
   * variables is `INVALID_ENGINE_CONFIG` (paths `$.rules[i]…`), and the engine keeps its rules.
   */
  replaceRules(rules: readonly unknown[] | string): void {
    this.#native.replaceRules(typeof rules === 'string' ? rules : JSON.stringify(rules))
  }
}

/** A backtest scenario shipped with the package. */
export type BuiltinScenario = ScenarioInfo

/** The shipped scenarios (`gamesa backtest --list`). */
export function builtinScenarios(): BuiltinScenario[] {
  return nativeBuiltinScenarios()
}

/** Which run the policy is compared against. */
export type Baseline = 'none' | 'static'

/**
 * Closed-loop backtest: the engine drives the plant simulator through `scenario` (a shipped
 * name or scenario JSON text), and the same scenario runs under `baseline`.
 */
export function runBacktest(scenario: string, config: EngineConfig | string, baseline: Baseline = 'none'): BacktestReport {
  const builtin = nativeBuiltinScenarios().find((s) => s.name === scenario)
  const scenarioText = builtin?.json ?? scenario
  return JSON.parse(withConfig(config, (text) => nativeRunBacktest(scenarioText, text, baseline))) as BacktestReport
}

/**
 * {@link runBacktest}, and also every tick of the policy run as JSON text
 * `{"values", "output", "outcomes"}`: the telemetry the engine saw, its whole tick output, and
 * what the plant made of each approved action (`null` applied, else why not). The experience
 * store records these (`gamesa backtest --experience`).
 */
export function runBacktestRecorded(scenario: string, config: EngineConfig | string, baseline: Baseline = 'none'): { report: BacktestReport; ticks: string[] } {
  const builtin = nativeBuiltinScenarios().find((s) => s.name === scenario)
  const scenarioText = builtin?.json ?? scenario
  const recorded = withConfig(config, (text) => nativeRunBacktestRecorded(scenarioText, text, baseline))
  return { report: JSON.parse(recorded.report) as BacktestReport, ticks: recorded.ticks }
}

/** How one run of the backtest suite did. */
export interface SuiteRun {
  secondsAboveThermalLimit: number
  powerCapOvershootWs: number
  priorityDeadlineMisses: number
  priorityThroughput: number
  totalThroughput: number
  actionsApplied: number
}

/** The lines a policy must meet on one scenario, each true when met. */
export interface SuiteChecks {
  /** 0 s above thermal limits and 0 W·s over the power cap. */
  safe: boolean
  /** Priority deadline misses ≤ the static settings'. */
  misses: boolean
  /** Priority throughput ≥ the static settings'. */
  priorityVsStatic: boolean
  /** Priority throughput ≥ 95 % of the nothing-done run's; absent where that run is unsafe. */
  priorityVsNone?: boolean
  /** Total throughput ≥ 97 % of the static settings'. */
  totalVsStatic: boolean
}

/** One scenario of the backtest suite: the policy beside both baselines, and its verdict. */
export interface SuiteRow {
  scenario: string
  priorityWorkload?: string
  policy: SuiteRun
  static: SuiteRun
  none: SuiteRun
  checks: SuiteChecks
  /** Every check met. */
  pass: boolean
}

/**
 * The backtest suite: the engine built from `config`, the scenario's static settings and the
 * nothing-done run on each scenario (shipped names or scenario JSON texts; default every shipped
 * scenario), and the lines the policy meets (`gamesa backtest --all`).
 */
export function runBacktestSuite(config: EngineConfig | string, scenarios?: readonly string[]): SuiteRow[] {
  const shipped = nativeBuiltinScenarios()
  const texts = (scenarios ?? shipped.map((s) => s.name)).map((s) => shipped.find((b) => b.name === s)?.json ?? s)
  return JSON.parse(withConfig(config, (text) => nativeRunBacktestSuite(texts, text))) as SuiteRow[]
}

/** Totals of a replay. */
export interface ReplaySummary {
  ticks: number
  firstMs: number | null
  lastMs: number | null
  emergencyTicks: number
  activeFirings: number
  shadowFirings: number
  ruleErrors: number
  approved: number
  rejected: number
  rejectedByReason: Record<string, number>
  contractViolations: number
  auditRecords: number
}

/** Options of `replayTrace`. */
export interface ReplayOptions {
  /** Called after each chunk with bytes read and the trace's size. */
  onProgress?: (bytesRead: number, totalBytes: number, ticks: number) => void
  /** Ticks per chunk between progress calls (default 2000). */
  chunk?: number
}

/**
 * Open-loop replay of a trace recorded by `gamesa record` through an engine built from
 * `config`, writing `outPath`: a header line, then one tick output per line. Byte-identical
 * for the same config and trace. Errors: `INVALID_TRACE` with the line number, `IO_ERROR`.
 */
export function replayTrace(config: EngineConfig | string, tracePath: string, outPath: string, options: ReplayOptions = {}): ReplaySummary {
  // Checked before anything is opened: Node-API would read a chunk of NaN as 0 (a replay of no
  // tick, silently) and -1 as 2^32 - 1.
  const chunk = options.chunk ?? 2000
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 0xffff_ffff) {
    throw new GamesaError('INVALID_ARGUMENT', `replayTrace: options.chunk must be a whole number from 1 to 4294967295, got ${String(chunk)}`)
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new GamesaError('INVALID_ARGUMENT', `replayTrace: options.onProgress must be a function, got ${typeof options.onProgress}`)
  }
  // The decisions are written as the trace is read: over the trace itself they would truncate it.
  if (sameFile(tracePath, outPath)) {
    throw new GamesaError('INVALID_ARGUMENT', `refusing to write the decisions to ${outPath}: it is the trace being replayed`, { path: outPath })
  }
  const replay = withConfig(config, (text) => new NativeReplay(text, tracePath, outPath))
  let ticks = 0
  for (;;) {
    const n = replay.step(chunk)
    ticks += n
    if (options.onProgress) {
      const [read, total] = replay.progress()
      options.onProgress(read ?? 0, total ?? 0, ticks)
    }
    if (n === 0) break
  }
  return JSON.parse(replay.finish()) as ReplaySummary
}
