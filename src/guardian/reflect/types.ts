// What `gamesa reflect` reports: a deterministic analysis of an experience store (and, when
// given, an audit trail). Every figure is computed from the stored ticks; nothing is sampled.

/** The reward over time. */
export interface RewardTrend {
  /** Ticks with a reward. */
  judged: number
  /** Ticks without one, by reason (first words of the reason). */
  unjudged: Record<string, number>
  mean: number | null
  /** Mean of the first and of the last third of the judged ticks, in order. */
  firstThird: number | null
  lastThird: number | null
  /** Least-squares slope per 1000 judged ticks (null with fewer than 2). */
  slopePer1000: number | null
  /** Window means for charting: the judged ticks in order, cut into at most 200 windows. */
  windows: { index: number; mean: number }[]
}

/** One rule's record. */
export interface RuleReport {
  rule: string
  mode: 'active' | 'shadow'
  domain?: string
  /** What it proposes (kind and target), when it proposes an action. */
  action?: string
  /** Ticks it fired (held firings included). */
  firings: number
  /** Firings over all ticks of the runs it fired in. */
  firingRate: number
  /** Times it started firing (not firing the tick before). */
  onsets: number
  /** Mean reward over the `window` ticks before each onset, and from the onset on. */
  rewardBefore: number | null
  rewardAfter: number | null
  /** After − before (null when either is). */
  rewardDelta: number | null
  /** Its actions: approved, and rejected by the gate (selection losers apart). */
  approved: number
  rejected: number
}

/** A shadow rule beside what the active set did with the same action kind and target. */
export interface ShadowReport {
  rule: string
  action?: string
  /** Ticks considered: every tick of the runs it fired in. */
  ticks: number
  /** Fraction of ticks where the shadow rule fired exactly when the active set acted on the same kind and target. */
  agreement: number
  /** Ticks where it fired and the active set did the same; fired and the active set did not; did not fire and the active set acted. */
  firedAndActed: number
  firedOnly: number
  actedOnly: number
  /**
   * Estimated regret of the active set for not following it: mean reward on ticks where it fired
   * and the active set did the same, minus mean reward where it fired and the active set did
   * not. Positive: following it paid. Observational (logged data, no counterfactual): null when
   * either group is empty.
   */
  regret: number | null
}

/** One kind of counted problem. */
export interface Count {
  key: string
  count: number
  /** An example in words. */
  example?: string
}

/** An audit trail's verification and what it recorded. */
export interface AuditSummary {
  path: string
  ok: boolean
  records: number
  verified: number
  /** Why the chain does not verify, when it does not. */
  problem?: string
  decisions: Record<string, number>
  /** Rejected and denied records, by reason (the reason's first clause). */
  refusals: Count[]
}

/** A finding, in words, with its weight. */
export interface Finding {
  /** 0 (safety) to 3 (information): what to read first. */
  severity: 0 | 1 | 2 | 3
  text: string
}

/** The whole analysis. */
export interface Reflection {
  store: string
  runs: { id: number; source: string; label: string; ticks: number }[]
  ticks: number
  emergencyTicks: number
  /** The window (ticks) of the before/after comparison. */
  window: number
  reward: RewardTrend
  rules: RuleReport[]
  shadow: ShadowReport[]
  /** Gate rejections by reason (not counting selection losers, counted apart). */
  rejections: Count[]
  notSelected: number
  violations: Count[]
  actuationFailures: Count[]
  audit?: AuditSummary
  findings: Finding[]
}
