// Which charts a report has and what goes in each: the fixed groups (temperatures,
// power, prices, grants, rule firings, actions), then one chart per other `extra` series.
// Policy and baselines share each chart's axes: colour tells the series, dash tells the run.
import type { ChartLine, LineChartSpec } from './line_chart.js'
import type { BacktestRun } from './types.js'

/** A categorical palette with enough contrast on white; series take colours in name order. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22']
/** Dash per run, in run order: the first (normally the policy) solid. */
const DASHES = ['', '7 4', '2 3', '10 3 2 3']

/** How a run is named in legends and the table: `policy`, `baseline (static)`. */
export function runName(run: BacktestRun): string {
  return run.label === 'baseline' && run.baseline ? `baseline (${run.baseline})` : run.label
}

/** The dash pattern of the run at `index`. */
export function runDash(index: number): string {
  return DASHES[index % DASHES.length]!
}

interface Group {
  id: string
  title: string
  unit: string
  includeZero: boolean
  /** What the page says when the chart has nothing to draw (default: no data recorded). */
  emptyNote?: string
  yScale?: LineChartSpec['yScale']
  /** Draw the running total instead of the per-tick values (event counts read better that way). */
  cumulative?: boolean
  /** Series of one run in this chart, by name (as shown in the legend). */
  pick(run: BacktestRun): Array<[string, ReadonlyArray<number | null>]>
}

const extraOf = (run: BacktestRun): Record<string, ReadonlyArray<number | null>> => run.series.extra ?? {}

const byPrefix =
  (prefix: string) =>
  (run: BacktestRun): Array<[string, ReadonlyArray<number | null>]> =>
    Object.entries(extraOf(run))
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v])

const exactOrPrefixed =
  (...names: string[]) =>
  (run: BacktestRun): Array<[string, ReadonlyArray<number | null>]> =>
    Object.entries(extraOf(run)).filter(([k]) => names.some((n) => k === n || k.startsWith(`${n}.`)))

/** The one extra series `name`, shown in the legend as `label` (default: its name). */
const single =
  (name: string, label = name) =>
  (run: BacktestRun): Array<[string, ReadonlyArray<number | null>]> => {
    const v = extraOf(run)[name]
    return v ? [[label, v]] : []
  }

/** Extra series names that the fixed groups draw. */
function inGroups(name: string): boolean {
  return (
    name.startsWith('prices.') ||
    name.startsWith('grants.') ||
    name.startsWith('rates.') ||
    name.startsWith('settings.') ||
    ['firings', 'applied', 'rejected'].some((n) => name === n || name.startsWith(`${n}.`))
  )
}

/** Text made safe for an element id: ASCII letters and digits, the rest as `-`. */
function idPart(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })

/**
 * The chart groups, in page order. Grants get one chart per resource because resources have
 * different units (cores, watts, bytes): on one axis the small ones would sit flat on zero.
 */
function groups(runs: readonly BacktestRun[]): Group[] {
  const extraNames = [...new Set(runs.flatMap((r) => Object.keys(extraOf(r))))].sort(byName)
  // `grants.<resource>` is the total, `grants.<resource>.<agent>` each agent's part.
  const grantResources = extraNames.filter((k) => k.startsWith('grants.') && !k.slice('grants.'.length).includes('.')).map((k) => k.slice('grants.'.length))
  // `settings.<kind>.<target>`: the value each actuation set, one chart per kind (units differ).
  const settingKinds = [...new Set(extraNames.filter((k) => k.startsWith('settings.')).map((k) => k.split('.')[1]!))]
  // Resources never granted in any run get one note instead of a chart each of a flat zero line.
  const granted = grantResources.filter((res) => runs.some((r) => (extraOf(r)[`grants.${res}`] ?? []).some((v) => typeof v === 'number' && Number.isFinite(v) && v !== 0)))
  const never = grantResources.filter((res) => !granted.includes(res))
  const others = extraNames.filter((k) => !inGroups(k))
  return [
    { id: 'temperatures', title: 'Temperatures', unit: '°C', includeZero: false, pick: (r) => Object.entries(r.series.temperatures ?? {}) },
    { id: 'power', title: 'Power', unit: 'W', includeZero: true, pick: (r) => Object.entries(r.series.powerW ?? {}) },
    { id: 'prices', title: 'Prices', unit: 'credits per unit', includeZero: false, yScale: 'auto', pick: byPrefix('prices.') },
    ...(grantResources.length === 0
      ? [{ id: 'grants', title: 'Grants', unit: 'units granted', includeZero: true, pick: byPrefix('grants.') }]
      : granted.map(
          (res, i): Group => ({
            id: `grants-${i}-${idPart(res)}`,
            title: `Grants: ${res}, in total and per agent`,
            unit: 'units granted',
            includeZero: true,
            pick: (run) => [...single(`grants.${res}`, 'total')(run), ...byPrefix(`grants.${res}.`)(run)],
          }),
        )),
    // Charted where the policy reports them (a report built elsewhere may not).
    ...(extraNames.some((k) => k.startsWith('rates.'))
      ? [{ id: 'rates', title: 'Exchange rates: cores one unit is worth', unit: 'cores per unit', includeZero: false, yScale: 'auto' as const, pick: byPrefix('rates.') }]
      : []),
    ...settingKinds.map(
      (kind, i): Group => ({ id: `settings-${i}-${idPart(kind)}`, title: `Settings applied: ${kind}`, unit: 'value set', includeZero: false, pick: byPrefix(`settings.${kind}.`) }),
    ),
    ...(never.length === 0
      ? []
      : [
          {
            id: 'grants-none',
            title: `Grants: ${never.join(', ')}`,
            unit: '',
            includeZero: true,
            emptyNote: 'Nothing of these resources was granted in any run.',
            pick: () => [],
          },
        ]),
    { id: 'firings', title: 'Rule firings', unit: 'rules per tick', includeZero: true, pick: exactOrPrefixed('firings') },
    {
      id: 'actions',
      title: 'Actions applied and rejected, running total',
      unit: 'actions',
      includeZero: true,
      cumulative: true,
      pick: exactOrPrefixed('applied', 'rejected'),
    },
    ...others.map((name, i): Group => ({ id: `extra-${i}-${idPart(name)}`, title: name, unit: '', includeZero: false, pick: single(name) })),
  ]
}

/** Running total of `values`; a gap stays a gap and adds nothing. */
export function runningTotal(values: ReadonlyArray<number | null>): Array<number | null> {
  let sum = 0
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null
    sum += v
    return sum
  })
}

/** Every chart of the report, in page order; a group no run has data for is still listed. */
export function chartSpecs(runs: readonly BacktestRun[]): LineChartSpec[] {
  return groups(runs).map((g) => {
    const picked = runs.map((run) => g.pick(run).sort(([a], [b]) => byName(a, b)))
    // One colour per series name across runs, so `gpu0` is the same colour for policy and baseline.
    const names = [...new Set(picked.flatMap((p) => p.map(([n]) => n)))].sort(byName)
    const color = new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length]!]))
    const lines: ChartLine[] = []
    runs.forEach((run, ri) => {
      const t = (run.series.tMs ?? []).map((ms) => ms / 1000)
      for (const [name, values] of picked[ri]!) {
        lines.push({ name, run: runName(run), color: color.get(name)!, dash: runDash(ri), t, values: g.cumulative ? runningTotal(values) : values })
      }
    })
    return { id: `chart-${g.id}`, title: g.title, unit: g.unit, includeZero: g.includeZero, lines, ...(g.yScale ? { yScale: g.yScale } : {}), ...(g.emptyNote ? { emptyNote: g.emptyNote } : {}) }
  })
}
