// Rules whose sensor this machine lacks. The engine reports a rule that reads a variable the
// reading does not have as a rule error, on every tick: on a machine without a GPU, hwmon or
// RAPL the shipped rules for them would fill the view with errors that are not errors — the
// rule simply cannot apply here. `gamesa run` treats such a rule as inactive instead: one line
// says why when it first happens, and it is left out of the view's errors, the run's counts
// and the metrics. Every other rule error (an overflow, a type mismatch) stays an error.

/** The engine's message for a variable absent from the reading (gamesa-core's expression evaluator). */
const ABSENT = /^variable `([^`]+)` is absent from the snapshot$/

interface RuleError {
  rule: string
  message: string
}

export class InactiveRules {
  /** Rule → the absent variable it reads, while it is inactive. */
  private readonly inactive = new Map<string, string>()

  constructor(private readonly say: (line: string) => void) {}

  /** The tick's rule errors without those of an absent variable; says once per rule (and again if the variable changes) why it is inactive. */
  filter<E extends RuleError>(errors: readonly E[] | undefined): E[] | undefined {
    if (errors === undefined || errors.length === 0) return errors === undefined ? undefined : []
    const kept: E[] = []
    for (const e of errors) {
      const variable = ABSENT.exec(e.message)?.[1]
      if (variable === undefined) {
        kept.push(e)
        continue
      }
      if (this.inactive.get(e.rule) !== variable) {
        this.inactive.set(e.rule, variable)
        this.say(`rule ${e.rule} is inactive: it reads \`${variable}\`, which is absent on this machine`)
      }
    }
    return kept
  }

  /** The view's lines: one per inactive rule. */
  lines(): string[] {
    if (this.inactive.size === 0) return []
    return [`rules inactive here (a sensor is absent): ${[...this.inactive].map(([rule, v]) => `${rule} (${v})`).join(', ')}`]
  }
}
