// The data a backtest report is drawn from: the JSON that `gamesa backtest` produces in Rust
// (gamesa_core::sim RunResult per run, camelCase), typed for the TypeScript renderer.
// Shapes follow /work/notes/stream-api.md §3-§4; keep the names in step with the Rust serde output.

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

/** The outcome figures of one closed-loop run (gamesa_core::sim::Summary). */
export interface BacktestSummary {
  /** Seconds any device spent above its thermal limit. */
  secondsAboveThermalLimit: number
  /** Seconds the measured power was above the power cap. */
  powerCapOvershootS: number
  /** Energy above the power cap, watt-seconds (joules). */
  powerCapOvershootWs: number
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
  /**
   * Policy internals by name: `prices.<resource>` (credits per unit), `grants.<resource>`
   * (units granted), `firings` (rules fired per tick), `rejected` and `applied` (actions per tick);
   * other names are drawn in charts of their own.
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
