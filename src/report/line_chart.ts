// An SVG line chart as a string: axes with ticks and unit labels, a grid, one path per line.
// Pure and deterministic (same spec, same bytes); every piece of text is escaped.
import { decimate, type Points } from './decimate.js'
import { escapeHtml } from './escape.js'
import { dataRange, formatNumber, linear, logAxis, niceAxis } from './scale.js'

/** One line of a chart. */
export interface ChartLine {
  /** Series name shown in the legend and the hover box, e.g. `gpu0` (user text). */
  name: string
  /** The run it belongs to, e.g. `policy` or `baseline (static)`. */
  run: string
  /** Stroke colour (a CSS colour chosen by the report, never user text). */
  color: string
  /** SVG stroke-dasharray, empty for a solid line (one style per run). */
  dash: string
  /** Sample times, seconds. */
  t: readonly number[]
  values: ReadonlyArray<number | null>
}

/** What to draw. */
export interface LineChartSpec {
  /** Element id of the `<svg>`: letters, digits, `-` only (made by the report, not user text). */
  id: string
  title: string
  /** Unit of the y axis, e.g. `°C`, shown beside the axis. */
  unit: string
  /** Stretch the y axis to include 0 (counts, amounts). */
  includeZero: boolean
  /**
   * `log` draws the y axis on a base-10 log scale; `auto` does so when every value is positive
   * and they span two decades or more (prices: a cheap and a dear resource on one chart).
   */
  yScale?: 'linear' | 'log' | 'auto'
  lines: ChartLine[]
  /** What the page says instead of a chart when there is nothing to draw. */
  emptyNote?: string
  /** The x axis's label (default `time (s)`). */
  xLabel?: string
}

/** The drawn chart and what the hover script needs to read values back. */
export interface RenderedChart {
  svg: string
  /** Points actually drawn per line (after thinning), in data units, for hover read-outs. */
  hover: { x0: number; x1: number; t0: number; t1: number; lines: Array<{ name: string; run: string; color: string; t: number[]; v: Array<number | null> }> }
}

export const WIDTH = 720
export const HEIGHT = 260
const MARGIN = { left: 60, right: 16, top: 14, bottom: 42 }
/** At most this many points per line are drawn: about 1.5 per horizontal pixel of plot. */
const MAX_POINTS = 1000

const px = (v: number) => (Math.round(v * 10) / 10).toString()

/** The `d` attribute for `p` under the scales: a gap lifts the pen; a lone point is a dot. */
export function pathData(p: Points, x: (t: number) => number, y: (v: number) => number): string {
  const parts: string[] = []
  let run = 0
  for (let i = 0; i < p.t.length; i++) {
    const v = p.v[i]
    if (v === null || v === undefined) {
      if (run === 1) parts.push('h0.1')
      run = 0
      continue
    }
    parts.push(`${run === 0 ? 'M' : 'L'}${px(x(p.t[i]!))} ${px(y(v))}`)
    run++
  }
  if (run === 1) parts.push('h0.1')
  return parts.join('')
}

/**
 * Renders `spec` as an `<svg class="chart">`, or undefined when no line has a finite value
 * (the page then says "no data" instead of drawing empty axes).
 */
export function renderLineChart(spec: LineChartSpec): RenderedChart | undefined {
  const thinned = spec.lines.map((l) => decimate(l.t, l.values, MAX_POINTS))
  const yRange = dataRange(
    thinned.map((p) => p.v),
    spec.includeZero,
  )
  const tRange = dataRange(thinned.filter((p) => p.v.some((v) => v !== null)).map((p) => p.t))
  if (!yRange || !tRange) return undefined

  // Time axis: from 0 when the run starts at a positive time (its first sample is one tick in),
  // to the data's end, or to the next round tick when that is within 1% of the span.
  const t0 = tRange.min > 0 ? 0 : tRange.min
  let t1 = tRange.max > t0 ? tRange.max : t0 + 1
  const xAxis = niceAxis({ min: t0, max: t1 }, 8)
  if (xAxis.max - t1 <= (t1 - t0) * 0.01) t1 = xAxis.max
  // A log axis cannot show zero or negative values: such data stays linear.
  const log = yRange.min > 0 && (spec.yScale === 'log' || (spec.yScale === 'auto' && yRange.max / yRange.min >= 100))
  const yAxis = log ? logAxis(yRange) : niceAxis(yRange, 5)
  const x0 = MARGIN.left
  const x1 = WIDTH - MARGIN.right
  const yTop = MARGIN.top
  const yBottom = HEIGHT - MARGIN.bottom
  const x = linear(t0, t1, x0, x1)
  const yLinear = log ? linear(Math.log10(yAxis.min), Math.log10(yAxis.max), yBottom, yTop) : linear(yAxis.min, yAxis.max, yBottom, yTop)
  const y = log ? (v: number) => yLinear(Math.log10(v)) : yLinear

  const out: string[] = []
  const title = escapeHtml(spec.title)
  out.push(
    `<svg class="chart" id="${spec.id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" preserveAspectRatio="xMidYMid meet">`,
    `<title>${title}</title>`,
  )
  // Grid and y ticks.
  out.push('<g class="axis y-axis">')
  for (const tick of yAxis.ticks) {
    const ty = px(y(tick))
    out.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${ty}" y2="${ty}"/>`)
    out.push(`<text x="${x0 - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatNumber(tick))}</text>`)
  }
  out.push(
    `<text class="axis-label" transform="translate(14 ${px((yTop + yBottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(log ? `${spec.unit} (log scale)` : spec.unit)}</text>`,
    '</g>',
  )
  // x ticks: the nice ticks that fall inside the data's time span.
  out.push('<g class="axis x-axis">')
  out.push(`<line class="domain" x1="${x0}" x2="${x1}" y1="${yBottom}" y2="${yBottom}"/>`)
  out.push(`<line class="domain" x1="${x0}" x2="${x0}" y1="${yTop}" y2="${yBottom}"/>`)
  for (const tick of xAxis.ticks) {
    if (tick < t0 - 1e-9 || tick > t1 + 1e-9) continue
    const tx = px(x(tick))
    out.push(`<line class="tick" x1="${tx}" x2="${tx}" y1="${yBottom}" y2="${yBottom + 5}"/>`)
    out.push(`<text x="${tx}" y="${yBottom + 18}" text-anchor="middle">${escapeHtml(formatNumber(tick))}</text>`)
  }
  out.push(`<text class="axis-label" x="${px((x0 + x1) / 2)}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(spec.xLabel ?? 'time (s)')}</text>`, '</g>')
  // Lines, clipped to the plot so a value outside the axis range never paints over the labels.
  const clip = `${spec.id}-clip`
  out.push(`<clipPath id="${clip}"><rect x="${x0}" y="${yTop - 2}" width="${x1 - x0}" height="${yBottom - yTop + 4}"/></clipPath>`)
  out.push(`<g class="lines" clip-path="url(#${clip})">`)
  spec.lines.forEach((line, i) => {
    const d = pathData(thinned[i]!, x, y)
    if (d === '') return
    const dash = line.dash ? ` stroke-dasharray="${escapeHtml(line.dash)}"` : ''
    out.push(
      `<path class="line" data-line="${i}" d="${d}" stroke="${escapeHtml(line.color)}"${dash}><title>${escapeHtml(`${line.name} — ${line.run}`)}</title></path>`,
    )
  })
  out.push('</g>')
  out.push(`<line class="cursor" x1="0" x2="0" y1="${yTop}" y2="${yBottom}" visibility="hidden"/>`)
  out.push('</svg>')

  return {
    svg: out.join(''),
    hover: {
      x0,
      x1,
      t0,
      t1,
      // Rounded for the page (the read-out shows at most 3 significant decimals): about half the
      // bytes of full doubles.
      lines: spec.lines.map((l, i) => ({
        name: l.name,
        run: l.run,
        color: l.color,
        t: thinned[i]!.t.map((t) => Math.round(t * 1000) / 1000),
        v: thinned[i]!.v.map((v) => (v === null ? null : Number(v.toPrecision(6)))),
      })),
    },
  }
}
