// The market's side of a tick as Prometheus gauges: the prices each round cleared at and the
// ones posted for the next, demand and supply, the exchange-rate matrix, and what each agent was
// granted. Every series is replaced on each tick, so a resource or grant that is gone from the
// output is gone from the scrape too (an absent value is never shown as a stale or zero one).
import { type Registry, Gauge } from 'prom-client'
import type { TickOutput } from '../engine.js'

/** Sums `value` into `into[key]` (several bids of one agent on one resource add up). */
function add(into: Map<string, { agent: string; resource: string; value: number }>, agent: string, resource: string, value: number): void {
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
  readonly #rate: Gauge<'from' | 'to'>
  readonly #granted: Gauge<'agent' | 'resource'>
  readonly #requested: Gauge<'agent' | 'resource'>
  readonly #paid: Gauge<'agent' | 'resource'>
  readonly #balance: Gauge<'agent'>

  /** `agentIds`: the configuration's agents in order (grants name their agent by index). */
  constructor(
    registry: Registry,
    private readonly agentIds: readonly string[],
  ) {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers: [registry] })
    this.#price = gauge('gamesa_market_price_credits', 'Price one unit of the resource cleared at this tick, in credits (units: docs/metrics.md).', ['resource'])
    this.#nextPrice = gauge('gamesa_market_next_price_credits', 'Price posted for the next tick, in credits per unit of the resource.', ['resource'])
    this.#demand = gauge('gamesa_market_demand', "Demand at the posted price, in the resource's unit.", ['resource'])
    this.#supply = gauge('gamesa_market_supply', "Capacity offered, in the resource's unit.", ['resource'])
    this.#rate = gauge('gamesa_market_exchange_rate', 'Units of `to` one unit of `from` is worth: price(from) / price(to).', ['from', 'to'])
    this.#granted = gauge('gamesa_grant_amount', "What the agent won this tick, in the resource's unit (its bids summed).", ['agent', 'resource'])
    this.#requested = gauge('gamesa_grant_requested', "What the agent asked for this tick, in the resource's unit (its bids summed).", ['agent', 'resource'])
    this.#paid = gauge('gamesa_grant_paid_credits', 'What the agent paid for its grants this tick, in credits.', ['agent', 'resource'])
    this.#balance = gauge('gamesa_agent_balance_credits', "The agent's credit balance after this tick.", ['agent'])
  }

  observe(output: TickOutput): void {
    const market = output.market
    setPerResource(this.#price, market.prices)
    setPerResource(this.#nextPrice, market.nextPrices)
    setPerResource(this.#demand, market.demand)
    setPerResource(this.#supply, market.supply)
    this.#rate.reset()
    for (const [from, row] of Object.entries(output.rates)) {
      for (const [to, rate] of Object.entries(row)) if (Number.isFinite(rate)) this.#rate.set({ from, to }, rate)
    }
    const granted = new Map<string, { agent: string; resource: string; value: number }>()
    const requested = new Map<string, { agent: string; resource: string; value: number }>()
    const paid = new Map<string, { agent: string; resource: string; value: number }>()
    for (const g of market.grants) {
      const agent = this.agentIds[g.agent] ?? String(g.agent)
      add(granted, agent, g.resource, g.amount)
      add(requested, agent, g.resource, g.requested)
      add(paid, agent, g.resource, g.paid)
    }
    setGrants(this.#granted, granted)
    setGrants(this.#requested, requested)
    setGrants(this.#paid, paid)
    this.#balance.reset()
    market.balances.forEach((balance, i) => {
      if (Number.isFinite(balance)) this.#balance.set({ agent: this.agentIds[i] ?? String(i) }, balance)
    })
  }
}

function setPerResource(gauge: Gauge<'resource'>, values: Record<string, number> | undefined): void {
  gauge.reset()
  for (const [resource, value] of Object.entries(values ?? {})) if (Number.isFinite(value)) gauge.set({ resource }, value)
}

function setGrants(gauge: Gauge<'agent' | 'resource'>, values: Map<string, { agent: string; resource: string; value: number }>): void {
  gauge.reset()
  for (const { agent, resource, value } of values.values()) if (Number.isFinite(value)) gauge.set({ agent, resource }, value)
}
