// The data a backtest report is drawn from: the JSON that `gamesa backtest` produces in Rust
// (gamesa_core::sim RunResult per run, camelCase), typed for the TypeScript renderer.
// Shapes follow the Rust serde output of the backtest report (crates/gamesa-core/src/engine/backtest.rs); keep the names in step with it.

/** The scenario a backtest ran. */
export interface BacktestScenarioInfo {
  /** Scenario name, e.g. `game_and_compile` (user text: rendered escaped). */
  name: string
  /** One or two sentences on what the scenario simulates (user text). */
  description: string
  /** Simulated duration, seconds. */
  durationS: number
  /** Engine tick period, milliseconds. */
  tickMs: number
}

/**
 * The outcome figures of one closed-loop run (gamesa_core::sim::Summary). The optional fields
 * are always in `runBacktest`'s output; the renderer does not read them, so a report built by
 * hand may leave them out.
 */
export interface BacktestSummary {
  /** Ticks run. */
  ticks?: number
  /** Simulated time, seconds. */
  durationS?: number
  /** Seconds any device spent above its thermal limit. */
  secondsAboveThermalLimit: number
  /** Seconds the measured power was above the power cap. */
  powerCapOvershootS: number
  /** Energy above the power cap, watt-seconds (joules). */
  powerCapOvershootWs: number
  /** The priority workload's name; absent when the scenario marks none. */
  priorityWorkload?: string
  /** Deadlines missed by the priority workload (e.g. frames late). */
  priorityDeadlineMisses: number
  /** Work done by the priority workload, in the workload's own units (as the simulator counts it). */
  priorityThroughput: number
  /** Work done by all workloads together, in the simulator's work units. */
  totalThroughput: number
  /** Actions the policy applied to the plant. */
  actionsApplied: number
  /** Actions the policy's gate rejected. */
  actionsRejected: number
  /** CPU + GPU energy, joules. */
  energyJ?: number
  /** Highest temperature per device, °C. */
  peakTemperaturesC?: Record<string, number>
  /** Per-workload results. */
  workloads?: BacktestWorkload[]
}

/** The results of one workload of a run (gamesa_core::sim::WorkloadMetrics). */
export interface BacktestWorkload {
  name: string
  /** Whether it is the scenario's priority workload. */
  priority: boolean
  profile: 'steady' | 'bursty' | 'frame_loop' | 'batch'
  /** Unit of `meanThroughput`: `fps` for a frame loop, else `units/s`. */
  unit: string
  /** Seconds it was running (started and not finished). */
  activeS: number
  /** Frames completed (frame loops only; else 0). */
  frames: number
  /** Frames over the deadline (frame loops only; else 0). */
  deadlineMisses: number
  /** Work done: frames or units. */
  workUnits: number
  /** Mean throughput while running, in `unit`. */
  meanThroughput: number
  /** Work done over the work full service would have given while running, 0..1. */
  normalizedThroughput: number
  /** Batch progress 0..1 (batch only). */
  progress?: number
  /** When a batch finished, seconds (batch only). */
  completedAtS?: number
}

/**
 * Time series of one run, one value per tick. Every array has the length of `tMs` (a shorter
 * one is drawn as far as it goes). A `null` (how JSON writes a non-finite number) is a gap.
 */
export interface BacktestSeries {
  /** Simulated time of each sample, milliseconds from the start. */
  tMs: number[]
  /** Device temperatures, °C, by device (e.g. `cpu`, `gpu0`). */
  temperatures: Record<string, Array<number | null>>
  /** Power draw, W, by device or rail. */
  powerW: Record<string, Array<number | null>>
  /** Per workload `<name>.throughput` (and `<name>.frame_ms` for frame loops); always in `runBacktest`'s output. */
  workloads?: Record<string, Array<number | null>>
  /**
   * Policy internals by name: `prices.<resource>` (credits per unit), `grants.<resource>`
   * (units granted in total) and `grants.<resource>.<agent>` (each agent's part), `rates.<resource>`
   * (the exchange rate: cores one unit is worth), `settings.<kind>.<target>` (the value the last
   * approved actuation set, from its first approval on), `firings` (rules fired per tick),
   * `rejected` and `applied` (actions per tick); other names are drawn in charts of their own.
   */
  extra: Record<string, Array<number | null>>
}

/** One closed-loop run: the policy under test or a baseline. */
export interface BacktestRun {
  label: 'policy' | 'baseline'
  /** Which baseline this run is, for `label: 'baseline'`. */
  baseline?: 'none' | 'static'
  summary: BacktestSummary
  series: BacktestSeries
}

/** Everything `renderBacktestReport` draws: the scenario and its runs (policy first, then baselines). */
export interface BacktestReport {
  scenario: BacktestScenarioInfo
  runs: BacktestRun[]
}
