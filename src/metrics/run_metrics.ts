// The metrics of one `gamesa run` (or `gamesa exec`): a registry of the run's own series
// (market, decisions, telemetry, live workloads), all under the `gamesa_` prefix, and the
// endpoint that serves them. prom-client's default process and Node.js series are left out:
// some are gauges named `_total`, which `promtool check metrics` rejects, and the governor's
// own CPU and memory are the container's or the unit's, which the usual exporters report. The run command calls
// `afterTick` once per tick; everything else is here. Series and units: docs/metrics.md.
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { Registry } from 'prom-client'
import type { Engine } from '../engine.js'
import type { TelemetrySnapshot } from '../telemetry.js'
import type { LiveActionResult, WorkloadPass } from '../workloads.js'
import { type MetricsAddress, formatAddress } from './address.js'
import { DecisionMetrics, type RunTick } from './decision_metrics.js'
import { LiveMetrics } from './live_metrics.js'
import { MarketMetrics } from './market_metrics.js'
import { serveMetrics } from './server.js'
import { TelemetryMetrics } from './telemetry_metrics.js'

/** The agent ids of an engine configuration, in order (a grant names its agent by index). */
export function configAgentIds(configText: string): string[] {
  const config = JSON.parse(configText) as { agents?: { id?: unknown }[] | null }
  return (config.agents ?? []).map((a, i) => (typeof a.id === 'string' ? a.id : String(i)))
}

export interface RunMetricsOptions {
  /** The engine configuration's text (its agents name the grants). */
  configText: string
  /** The run's engine: its last full output gives the grants, rates and balances at scrape time. */
  engine: Pick<Engine, 'lastTick' | 'ticks'>
  /** The applying run's journal file; undefined for a dry run. */
  journal?: string
}

export class RunMetrics {
  readonly registry = new Registry()
  readonly #market: MarketMetrics
  readonly #decisions = new DecisionMetrics(this.registry)
  readonly #telemetry = new TelemetryMetrics(this.registry)
  readonly #live: LiveMetrics
  #server: Server | undefined

  constructor(options: RunMetricsOptions) {
    const engine = options.engine
    this.#market = new MarketMetrics(
      this.registry,
      configAgentIds(options.configText),
      () => engine.lastTick(),
      () => engine.ticks,
    )
    this.#live = new LiveMetrics(this.registry, options.journal)
  }

  /** Reads the configuration at `path` for its agents. */
  static forConfigFile(path: string, engine: Pick<Engine, 'lastTick' | 'ticks'>, journal?: string): RunMetrics {
    return new RunMetrics({ configText: readFileSync(path, 'utf8'), engine, journal })
  }

  /**
   * One tick of the run: its output (either path's, see `RunTick`), how long the engine took,
   * the reading fed to it and the live pass before it. What only the full output has (grants,
   * rates, balances) is read from the engine when a scrape asks.
   */
  afterTick(tick: RunTick, seconds: number, snapshot: TelemetrySnapshot, pass: WorkloadPass | undefined): void {
    this.#decisions.observe(tick, seconds)
    this.#market.observe(tick)
    this.#telemetry.observe(snapshot)
    if (pass !== undefined) this.#live.observePass(pass)
  }

  /** A reading the engine refused. */
  tickFailed(): void {
    this.#decisions.tickFailed()
  }

  /** What one tick's approved actions came to on the machine. */
  actuated(results: readonly LiveActionResult[]): void {
    this.#live.observeActuations(results)
  }

  /** Starts the endpoint; resolves with its URL. */
  async listen(address: MetricsAddress): Promise<string> {
    const { server, bound } = await serveMetrics(this.registry, address)
    this.#server = server
    return `http://${formatAddress(bound)}/metrics`
  }

  /** Stops the endpoint (open scrapes are cut) and the process metrics' timers. */
  close(): void {
    this.#server?.close()
    this.#server?.closeAllConnections()
    this.#server = undefined
    this.registry.clear()
  }
}
