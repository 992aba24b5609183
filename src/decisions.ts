// The JS half of the live path's transport (crates/gamesa-napi/src/decisions.rs has the
// encoding): a tick's decisions arrive as numbers in a Float64Array this decoder owns and
// reuses, plus one string, and are rebuilt as exactly the object `JSON.parse` of their JSON
// gives, keys in the same order. Names (rules, kinds, targets, agents, enum values) arrive
// once and are referred to by index afterwards, so a steady tick creates no strings for them.
import type { NativeEngine } from '../index.js'
import type { PerResource, TickDecisions, TickFiring, TickSignal, ApprovedAction, RejectedAction } from './engine.js'

type Native = Pick<NativeEngine, 'tickValuesPacked' | 'copyPacked'>

// TypeScript `private`, not `#private`: transpilers that lower `#` fields to WeakMaps (the
// source build does) made each field read a WeakMap lookup, a tenth of the call.
export class DecisionDecoder {
  /** Names sent so far, by index; the native packer of the same engine keeps the other half. */
  private readonly names: string[] = []
  private nums: Float64Array
  private text = ''
  private i = 0
  private at = 0

  /** `capacity`: numbers to make room for at first (it grows when a tick needs more). */
  constructor(capacity = 4096) {
    this.nums = new Float64Array(Math.max(1, capacity))
  }

  /** One tick through `native.tickValuesPacked`, decoded. */
  tick(native: Native, values: Float64Array, nowMs: number): TickDecisions {
    let text = native.tickValuesPacked(values, nowMs, this.nums)
    const count = this.nums[0]!
    if (count >= this.nums.length) {
      // More decisions than ever before: a larger array, filled from the same tick.
      this.nums = new Float64Array(Math.max(count + 1, this.nums.length * 2))
      text = native.copyPacked(this.nums)
    }
    this.text = text
    this.i = 1
    this.at = 0
    return this.decisions()
  }

  private decisions(): TickDecisions {
    const d: TickDecisions = {
      tick: this.num(),
      nowMs: this.real()!,
      emergency: this.flag(),
      prices: this.perResource(),
      nextPrices: this.perResource(),
      demand: this.perResource(),
      supply: this.perResource(),
      signals: this.list(() => this.signal()),
      firings: { active: this.list(() => this.firing()), shadow: this.list(() => this.firing()) },
    } as TickDecisions
    const ruleErrors = this.list(() => ({ rule: this.string(), message: this.string() }))
    if (ruleErrors.length > 0) d.ruleErrors = ruleErrors
    d.approved = this.list(() => this.approved())
    d.rejected = this.list(() => this.rejected())
    d.leaseChanges = this.num()
    d.violations = this.num()
    if (this.flag()) d.audit = [this.num(), this.num()]
    return d
  }

  private signal(): TickSignal {
    return { kind: this.name(), domain: this.name(), strength: this.real()!, source: this.name() }
  }

  private firing(): TickFiring {
    const f: TickFiring = { rule: this.name(), priority: this.name(), domain: this.name(), held: this.flag() }
    if (this.flag()) f.strength = this.real()!
    return f
  }

  private approved(): ApprovedAction {
    return {
      id: this.string(),
      rule: this.name(),
      kind: this.name(),
      target: this.name(),
      agent: this.name(),
      effect: this.name(),
      value: this.real()!,
      previous: this.flag() ? this.real() : null,
      healing: this.flag(),
      auditSeq: this.num(),
    }
  }

  private rejected(): RejectedAction {
    const r = {
      id: this.string(),
      rule: this.name(),
      kind: this.name(),
      target: this.name(),
      reason: this.name(),
      message: this.string(),
    } as RejectedAction
    if (this.flag()) r.value = this.real()!
    r.auditSeq = this.num()
    return r
  }

  private perResource(): PerResource {
    return {
      cpu_cores: this.real()!,
      cpu_time: this.real()!,
      gpu_compute: this.real()!,
      gpu_memory: this.real()!,
      thermal_headroom: this.real()!,
      power_budget: this.real()!,
    }
  }

  private list<T>(each: () => T): T[] {
    const n = this.num()
    const out: T[] = []
    for (let k = 0; k < n; k++) out.push(each())
    return out
  }

  private num(): number {
    return this.nums[this.i++]!
  }

  /** A float as JSON carries it: non-finite ones are `null`. */
  private real(): number | null {
    const x = this.nums[this.i++]!
    return Number.isFinite(x) ? x : null
  }

  private flag(): boolean {
    return this.nums[this.i++] === 1
  }

  private string(): string {
    const len = this.num()
    const s = this.text.slice(this.at, this.at + len)
    this.at += len
    return s
  }

  private name(): string {
    const k = this.num()
    if (k >= 0) return this.names[k]!
    const len = -k - 1
    const s = this.text.slice(this.at, this.at + len)
    this.at += len
    this.names.push(s)
    return s
  }
}
