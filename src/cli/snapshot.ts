// `gamesa snapshot [--json]`: one telemetry reading, every source's status included. CPU
// utilization is a delta between two readings of /proc/stat, so the command reads twice
// ~100 ms apart and prints the second reading (the first would report cpu.util absent).
import { readSnapshot, type TelemetrySnapshot } from '../index.js'
import type { Command } from './commands.js'
import { parseCommandLine } from './args.js'
import { sleep } from './telemetry_options.js'

const HELP = `usage: gamesa snapshot [--json]

Reads the machine once and prints every telemetry variable, grouped by source, with
each source's status (present, missing, permission_denied, unsupported, error) and
reason, and every variable that could not be read with its reason.

options:
  --json       print the whole snapshot as one JSON object:
               { timestampMs, values, absent, sources }
  -h, --help   show this help

exit codes: 0 success, 2 usage error.`

/** Gap between the two readings: long enough for /proc/stat ticks (USER_HZ = 100) to move. */
const CPU_DELTA_MS = 100

/** Takes a reading whose CPU utilization is present (two readings `CPU_DELTA_MS` apart). */
export async function readSettledSnapshot(): Promise<TelemetrySnapshot> {
  readSnapshot()
  await sleep(CPU_DELTA_MS)
  return readSnapshot()
}

/**
 * The source a variable comes from, for grouping. Prefix-based because the catalog names
 * carry their family (cpu.*, mem.*, gpu0.*); PSI variables belong to their psi_* source.
 */
export function sourceOf(name: string): string {
  if (name.endsWith('.psi_some_avg10')) return `psi_${name.slice(0, name.indexOf('.')).replace('mem', 'memory')}`
  if (name === 'cpu.freq_mhz') return 'cpufreq'
  if (name.startsWith('cpu.load')) return 'loadavg'
  if (name.startsWith('cpu.')) return 'proc_stat'
  if (name.startsWith('mem.') || name.startsWith('swap.')) return 'meminfo'
  if (name.startsWith('thermal.')) return 'thermal'
  if (name.startsWith('power.')) return 'rapl'
  if (name.startsWith('cgroup.')) return 'cgroup'
  if (name.startsWith('gpu')) return 'nvml'
  return 'other'
}

/** A number printed at a precision suited to its unit (ratios to 3 places, the rest to 1). */
export function formatValue(name: string, value: number): string {
  if (name.endsWith('util') || name.endsWith('_ratio')) return `${(value * 100).toFixed(1)} %`
  if (name.endsWith('_c')) return `${value.toFixed(1)} °C`
  if (name.endsWith('_w')) return `${value.toFixed(1)} W`
  if (name.endsWith('_mb')) return `${value.toFixed(0)} MiB`
  if (name.endsWith('_mhz')) return `${value.toFixed(0)} MHz`
  if (name.endsWith('avg10')) return `${value.toFixed(2)} %`
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}

/** Natural order so cpu.core10 follows cpu.core9. */
const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })

/** The human rendering: one block per source, its status line, then its variables. */
export function formatSnapshot(s: TelemetrySnapshot): string {
  const groups = new Map<string, { values: [string, number][]; absent: [string, string][] }>()
  const group = (source: string) => {
    let g = groups.get(source)
    if (!g) groups.set(source, (g = { values: [], absent: [] }))
    return g
  }
  for (const source of Object.keys(s.sources)) group(source)
  for (const [name, value] of Object.entries(s.values)) group(sourceOf(name)).values.push([name, value])
  for (const [name, reason] of Object.entries(s.absent)) group(sourceOf(name)).absent.push([name, reason])
  const width = Math.max(8, ...[...Object.keys(s.values), ...Object.keys(s.absent)].map((n) => n.length))
  const lines = [`snapshot at ${new Date(s.timestampMs).toISOString()}`]
  for (const source of [...groups.keys()].sort(byName)) {
    const g = groups.get(source)!
    const status = s.sources[source]
    const head = status ? `${status.status}${status.reason ? ` — ${status.reason}` : ''}` : 'no source status'
    lines.push('', `${source}: ${head}`)
    for (const [name, value] of g.values.sort((a, b) => byName(a[0], b[0]))) lines.push(`  ${name.padEnd(width)}  ${formatValue(name, value)}`)
    for (const [name, reason] of g.absent.sort((a, b) => byName(a[0], b[0]))) lines.push(`  ${name.padEnd(width)}  absent: ${reason}`)
  }
  return lines.join('\n')
}

async function run(args: string[]): Promise<number> {
  const options = parseCommandLine('snapshot', HELP, args, { options: { json: { type: 'boolean' } } }, (line) => ({ json: line.flag('json') }))
  if (typeof options === 'number') return options
  const snapshot = await readSettledSnapshot()
  console.log(options.json ? JSON.stringify(snapshot, null, 2) : formatSnapshot(snapshot))
  return 0
}

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'read the machine once: every telemetry variable and source status',
  run,
}
