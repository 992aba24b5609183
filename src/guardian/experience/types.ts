// What the experience store holds: one row per engine tick (state, actions and their outcomes,
// reward), grouped in runs (one `gamesa run`, `replay` or `backtest`).

/** Where a run's ticks came from. */
export type ExperienceSource = 'run' | 'replay' | 'backtest' | 'api'

/** What became of an action. */
export type ActionOutcome =
  /** The gate approved it and it was applied to the machine or the simulated plant. */
  | 'applied'
  /** The gate approved it; the run did not act on anything (dry run, replay). */
  | 'dry_run'
  /** The gate approved it, and applying it failed or was refused (the detail says why). */
  | 'failed'
  /** The gate (or the selection) stopped it; `reason` is the gate's code. */
  | 'rejected'

/** One action of a tick: approved or rejected, with its outcome. */
export interface ExperienceAction {
  rule: string
  kind: string
  target: string
  agent?: string
  decision: 'approved' | 'rejected'
  /** The gate's reason code, for a rejected action. */
  reason?: string
  /** The value it set (approved) or would have set (rejected, when it got that far). */
  value?: number
  /** The value before, for an approved action whose previous value is known. */
  previous?: number
  outcome: ActionOutcome
  /** Why it failed or was rejected, in words. */
  detail?: string
}

/** A rule that fired this tick. */
export interface ExperienceFiring {
  rule: string
  mode: 'active' | 'shadow'
  held: boolean
  /** The rule's domain (safety, thermal, performance, …), when known. */
  domain?: string
  /** The kind and target of the action the rule proposed (or, shadow, would have), when it proposed one. */
  kind?: string
  target?: string
}

/** A contract check that was violated this tick. */
export interface ExperienceViolation {
  contract: string
  kind: string
  violations: string[]
  response?: string
}

/** One tick: what the engine saw and did, and what it earned. */
export interface ExperienceTick {
  /** The run it belongs to. */
  run: number
  /** The engine's tick number. */
  tick: number
  /** The tick's time, ms (epoch for live runs and traces, from 0 for simulations). */
  timeMs: number
  emergency: boolean
  /** The state: the features and the variables the rules (and the reward) read. */
  state: { features: Record<string, number>; variables: Record<string, number> }
  firings: ExperienceFiring[]
  actions: ExperienceAction[]
  violations: ExperienceViolation[]
  /** The reward of this tick's decisions, judged on the next tick; null when unknown. */
  reward: number | null
  /** Why the reward is null (no expression, no next tick, a variable absent, …). */
  rewardError?: string
}

/** A run: one source of ticks. */
export interface ExperienceRun {
  id: number
  source: ExperienceSource
  /** Free text: the scenario, the trace, the config. */
  label: string
  /** The reward expression the run used, when it had one. */
  reward?: string
  /** The engine configuration the run used, as JSON text (absent in runs recorded before schema 4). */
  config?: string
  /** When the run started, epoch ms. */
  startedMs: number
}
