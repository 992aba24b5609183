// What the telemetry reading fed to each tick says: every source's status (a state set: one
// series per status, 1 for the current one), and the power and temperature readings a governor
// dashboard shows beside the decisions. Readings are the catalog's (docs/telemetry.md), in base
// units; one that is absent from a reading is absent from the scrape, never a zero.
import { type Registry, Gauge } from 'prom-client'
import type { TelemetrySnapshot, TelemetrySourceStatus } from '../telemetry.js'

const STATUSES: readonly TelemetrySourceStatus[] = ['present', 'missing', 'permission_denied', 'unsupported', 'error']

/** A catalog variable → the device label its series carries (`cpu`, `gpu0`, …); null when it is not that reading. */
type Match = (variable: string) => string | null

const gpuReading = (suffix: string): Match => {
  const pattern = new RegExp(`^(gpu\\d+)\\.${suffix}$`)
  return (v) => pattern.exec(v)?.[1] ?? null
}
const exactly = (name: string, label: string): Match => (v) => (v === name ? label : null)
const either = (...matches: Match[]): Match => (v) => {
  for (const m of matches) {
    const label = m(v)
    if (label !== null) return label
  }
  return null
}

/** The readings exported, each a gauge by `device`. */
const READINGS: readonly { name: string; help: string; match: Match }[] = [
  { name: 'gamesa_temperature_celsius', help: 'Temperature: thermal.cpu_c (device cpu) and gpuN.temp_c.', match: either(exactly('thermal.cpu_c', 'cpu'), gpuReading('temp_c')) },
  { name: 'gamesa_temperature_limit_celsius', help: 'Temperature where the GPU starts to slow its clocks: gpuN.temp_limit_c.', match: gpuReading('temp_limit_c') },
  { name: 'gamesa_thermal_headroom_celsius', help: 'Critical temperature minus the current one: thermal.headroom_c (device cpu).', match: exactly('thermal.headroom_c', 'cpu') },
  { name: 'gamesa_power_watts', help: 'Power drawn: power.cpu_w (RAPL, device cpu) and gpuN.power_w.', match: either(exactly('power.cpu_w', 'cpu'), gpuReading('power_w')) },
  { name: 'gamesa_power_limit_watts', help: 'Power limit in force: power.cpu_limit_w (RAPL PL1, device cpu) and gpuN.power_limit_w.', match: either(exactly('power.cpu_limit_w', 'cpu'), gpuReading('power_limit_w')) },
]

/** A reading's series: its gauge and the device label. */
interface Target {
  gauge: Gauge<'device'>
  device: string
}

export class TelemetryMetrics {
  readonly #status: Gauge<'source' | 'status'>
  readonly #readings: { gauge: Gauge<'device'>; match: Match }[]
  /** Each variable name seen → the series it feeds (none for most): matched once per name. */
  readonly #targets = new Map<string, Target[]>()
  /** The series set by the last reading, to remove those the next one lacks. */
  #set = new Set<Target>()
  /** Each source's status in the last reading: the state set is rewritten only when one changes. */
  #statuses = new Map<string, TelemetrySourceStatus>()

  constructor(registry: Registry) {
    this.#status = new Gauge({
      name: 'gamesa_telemetry_source_status',
      help: 'Each telemetry source by status (present, missing, permission_denied, unsupported, error): 1 for its status in the last reading, 0 for the others.',
      labelNames: ['source', 'status'],
      registers: [registry],
    })
    this.#readings = READINGS.map(({ name, help, match }) => ({ gauge: new Gauge({ name, help, labelNames: ['device'], registers: [registry] }), match }))
  }

  observe(snapshot: TelemetrySnapshot): void {
    this.#observeSources(snapshot.sources)
    const set = new Set<Target>()
    for (const [variable, value] of Object.entries(snapshot.values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue
      for (const target of this.#targetsOf(variable)) {
        target.gauge.set({ device: target.device }, value)
        set.add(target)
      }
    }
    for (const gone of this.#set) if (!set.has(gone)) gone.gauge.remove({ device: gone.device })
    this.#set = set
  }

  #targetsOf(variable: string): Target[] {
    let targets = this.#targets.get(variable)
    if (targets === undefined) {
      targets = []
      for (const { gauge, match } of this.#readings) {
        const device = match(variable)
        if (device !== null) targets.push({ gauge, device })
      }
      this.#targets.set(variable, targets)
    }
    return targets
  }

  #observeSources(sources: TelemetrySnapshot['sources']): void {
    const entries = Object.entries(sources)
    if (entries.length === this.#statuses.size && entries.every(([source, { status }]) => this.#statuses.get(source) === status)) return
    this.#status.reset()
    this.#statuses = new Map(entries.map(([source, { status }]) => [source, status]))
    for (const [source, status] of this.#statuses) {
      for (const s of STATUSES) this.#status.set({ source, status: s }, s === status ? 1 : 0)
    }
  }
}
