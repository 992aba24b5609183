// The market's side of a tick as Prometheus gauges: the prices each round cleared at and the
// ones posted for the next, demand and supply (set every tick from what the run already has),
// and the exchange-rate matrix, what each agent was granted and paid, and the agents' balances
// (collected at scrape time from the engine's last full output: the live path's tick does not
// carry them, and parsing that output on every tick would cost more than the tick itself in a
// debug build; see BENCHMARKS.md). Every series is replaced each time, so a resource or grant
// that is gone from the output is gone from the scrape too, never a stale or zero value.
import { type Registry, Gauge } from 'prom-client'
import type { TickOutput } from '../engine.js'
import type { RunTick } from './decision_metrics.js'

type Sums = Map<string, { agent: string; resource: string; value: number }>

/** Sums `value` into `into[agent, resource]` (several bids of one agent on one resource add up). */
function add(into: Sums, agent: string, resource: string, value: number): void {
  const key = `${agent}\u0000${resource}`
  const had = into.get(key)
  if (had) had.value += value
  else into.set(key, { agent, resource, value })
}

export class MarketMetrics {
  readonly #price: Gauge<'resource'>
  readonly #nextPrice: Gauge<'resource'>
  readonly #demand: Gauge<'resource'>
  readonly #supply: Gauge<'resource'>
  /** The last full output and the sums of its grants, parsed once per tick however many gauges ask. */
  #last: { output: TickOutput; granted: Sums; requested: Sums; paid: Sums } | null = null

  /**
   * `agentIds`: the configuration's agents in order (grants name their agent by index).
   * `lastTick`: the engine's last full output, or null before the first tick; `ticks`: how many
   * ticks it has run (to know when the output changed).
   */
  constructor(
    registry: Registry,
    private readonly agentIds: readonly string[],
    private readonly lastTick: () => TickOutput | null,
    private readonly ticks: () => number,
  ) {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers: [registry] })
    this.#price = gauge('gamesa_market_price_credits', 'Price one unit of the resource cleared at this tick, in credits (units: docs/metrics.md).', ['resource'])
    this.#nextPrice = gauge('gamesa_market_next_price_credits', 'Price posted for the next tick, in credits per unit of the resource.', ['resource'])
    this.#demand = gauge('gamesa_market_demand', "Demand at the posted price, in the resource's unit.", ['resource'])
    this.#supply = gauge('gamesa_market_supply', "Capacity offered, in the resource's unit.", ['resource'])
    // prom-client calls `collect` with the gauge as `this`; the latest tick is read through a
    // closure over this object's accessor instead.
    const latest = () => this.last
    const collected = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (gauge: Gauge<L>, last: NonNullable<MarketMetrics['last']>) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset()
          const last = latest()
          if (last !== null) fill(this, last)
        },
      })
    collected('gamesa_market_exchange_rate', 'Units of `to` one unit of `from` is worth: price(from) / price(to).', ['from', 'to'], (g, { output }) => {
      for (const [from, row] of Object.entries(output.rates)) {
        for (const [to, rate] of Object.entries(row)) if (Number.isFinite(rate)) g.set({ from, to }, rate)
      }
    })
    collected('gamesa_grant_amount', "What the agent won this tick, in the resource's unit (its bids summed).", ['agent', 'resource'], (g, { granted }) => setSums(g, granted))
    collected('gamesa_grant_requested', "What the agent asked for this tick, in the resource's unit (its bids summed).", ['agent', 'resource'], (g, { requested }) => setSums(g, requested))
    collected('gamesa_grant_paid_credits', 'What the agent paid for its grants this tick, in credits.', ['agent', 'resource'], (g, { paid }) => setSums(g, paid))
    collected('gamesa_agent_balance_credits', "The agent's credit balance after this tick.", ['agent'], (g, { output }) => {
      output.market.balances.forEach((balance, i) => {
        if (Number.isFinite(balance)) g.set({ agent: this.agentIds[i] ?? String(i) }, balance)
      })
    })
  }

  /** The prices, demand and supply of one tick. */
  observe(tick: Pick<RunTick, 'market'>): void {
    setPerResource(this.#price, tick.market.prices)
    setPerResource(this.#nextPrice, tick.market.nextPrices)
    setPerResource(this.#demand, tick.market.demand)
    setPerResource(this.#supply, tick.market.supply)
  }

  /** The last full output with its grants summed per agent and resource; parsed again only after a new tick. */
  get last(): { output: TickOutput; granted: Sums; requested: Sums; paid: Sums } | null {
    const ticks = this.ticks()
    if (this.#last !== null && this.#lastTicks === ticks) return this.#last
    const output = this.lastTick()
    this.#lastTicks = ticks
    if (output === null) return (this.#last = null)
    const granted: Sums = new Map()
    const requested: Sums = new Map()
    const paid: Sums = new Map()
    for (const g of output.market.grants) {
      const agent = this.agentIds[g.agent] ?? String(g.agent)
      add(granted, agent, g.resource, g.amount)
      add(requested, agent, g.resource, g.requested)
      add(paid, agent, g.resource, g.paid)
    }
    return (this.#last = { output, granted, requested, paid })
  }

  #lastTicks = -1
}

function setPerResource(gauge: Gauge<'resource'>, values: Record<string, number> | undefined): void {
  gauge.reset()
  for (const [resource, value] of Object.entries(values ?? {})) if (Number.isFinite(value)) gauge.set({ resource }, value)
}

function setSums<L extends 'agent' | 'resource'>(gauge: Gauge<L>, values: Sums): void {
  for (const { agent, resource, value } of values.values()) if (Number.isFinite(value)) gauge.set({ agent, resource } as Record<L, string>, value)
}
