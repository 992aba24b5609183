// One frame of the `gamesa run` live view, as plain text: prices per resource with an
// exchange-rate hint, the strongest signals, fired rules (active and shadow), approved and
// rejected actions with reasons, and tick timing. Pure: the command decides where it goes.
import { formatMs, type RunStats } from './run_stats.js'

/** A rule that fired this tick. */
export interface LiveFiring {
  rule: string
  priority: string
  domain: string
  /** Already latched (hysteresis) before this tick. */
  held: boolean
  strength?: number | null
}

/**
 * The fields of an engine tick output (`TickOutput` of src/engine.ts) that the view reads;
 * a full TickOutput is assignable to it.
 */
export interface LiveTickOutput {
  tick: number
  nowMs: number
  emergency?: boolean
  signals: ReadonlyArray<{ kind: string; domain: string; strength: number; source: string }>
  firings: { active: ReadonlyArray<LiveFiring>; shadow: ReadonlyArray<LiveFiring> }
  market: {
    /** Posted prices of this tick, credits per unit, by resource. */
    prices: Readonly<Record<string, number>>
    nextPrices?: Readonly<Record<string, number>>
    demand?: Readonly<Record<string, number>>
    supply?: Readonly<Record<string, number>>
  }
  approved: ReadonlyArray<{ id: string; rule: string; kind: string; target: string; agent: string; value: number; previous?: number | null; healing: boolean }>
  rejected: ReadonlyArray<{ id: string; rule: string; kind: string; target: string; reason: string; message: string }>
  ruleErrors?: ReadonlyArray<{ rule: string; message: string }>
}

/** Where and how the frame is drawn. */
export interface FrameOptions {
  /** Terminal width; longer lines end in `…`. */
  columns: number
  /** The engine configuration file, shown in the title. */
  config: string
  /** Telemetry rate, Hz. */
  rateHz: number
  /** Time since the run started, ms. */
  elapsedMs: number
}

/** Rows shown per list before "… and N more". */
const LIST_ROWS = 6

function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2)
  return v.toFixed(a >= 1000 ? 0 : a >= 100 ? 1 : digits)
}

/** A list section: title with its count, at most LIST_ROWS rows, then how many were left out. */
function section(title: string, rows: string[], empty: string): string[] {
  const out = [`${title} (${rows.length})`]
  if (rows.length === 0) out.push(`  ${empty}`)
  for (const r of rows.slice(0, LIST_ROWS)) out.push(`  ${r}`)
  if (rows.length > LIST_ROWS) out.push(`  … and ${rows.length - LIST_ROWS} more`)
  return out
}

function pricesSection(o: LiveTickOutput): string[] {
  const resources = Object.keys(o.market.prices)
  if (resources.length === 0) return ['PRICES', '  no market resources in this configuration']
  // Exchange-rate hint: every price restated in units of the first resource (the numéraire).
  const base = resources[0]!
  const width = Math.max(8, ...resources.map((r) => r.length))
  const lines = [
    'PRICES (credits per unit)',
    `  ${'resource'.padEnd(width)}  ${'price'.padStart(10)} ${'next'.padStart(10)}  ${'change'.padStart(6)}  ${'demand / supply'.padStart(17)}    value in ${base}`,
  ]
  for (const r of resources) {
    const p = o.market.prices[r]
    const next = o.market.nextPrices?.[r]
    const change = p !== undefined && next !== undefined && p > 0 ? `${next >= p ? '+' : '−'}${Math.abs(((next - p) / p) * 100).toFixed(1)}%` : ''
    const d = o.market.demand?.[r]
    const s = o.market.supply?.[r]
    // From the posted prices on the same line (rate r→base = p_r / p_base), so the row reads
    // consistently whatever moment the engine's own rate matrix was taken at.
    const pb = o.market.prices[base]
    const rate = p !== undefined && pb !== undefined && pb > 0 ? p / pb : undefined
    lines.push(
      `  ${r.padEnd(width)}  ${num(p).padStart(10)} ${num(next).padStart(10)}  ${change.padStart(6)}  ${`${num(d, 2)} / ${num(s, 2)}`.padStart(17)}    ${num(rate)}`,
    )
  }
  return lines
}

/** Renders one frame (lines joined with `\n`, no escape codes, no trailing newline). */
export function renderRunFrame(o: LiveTickOutput, stats: RunStats, options: FrameOptions): string {
  const title = [
    `gamesa run — tick ${o.tick}`,
    `${(options.elapsedMs / 1000).toFixed(1)} s`,
    `${num(options.rateHz, 1)} Hz`,
    'dry-run (nothing applied)',
    options.config,
  ].join(' · ')
  const lines: string[] = [o.emergency ? `${title}   ⚠ EMERGENCY: only safety actions pass` : title]
  lines.push(
    `tick time  last ${formatMs(stats.lastMs)} · mean ${formatMs(stats.meanMs)} · p99 ${formatMs(stats.p99Ms)}` +
      `    actions so far  ${stats.approved} approved · ${stats.rejected} rejected`,
    '',
    ...pricesSection(o),
    '',
  )

  const signals = [...o.signals]
    .sort((a, b) => b.strength - a.strength)
    .map((s) => `${s.kind.padEnd(18)} ${s.domain.padEnd(12)} ${num(s.strength, 2).padStart(6)}  from ${s.source}`)
  lines.push(...section('TOP SIGNALS', signals, 'none this tick'), '')

  const firing = (mode: string, f: LiveFiring) =>
    `${mode.padEnd(6)}  ${f.rule.padEnd(24)} ${f.priority.padEnd(8)} ${f.domain.padEnd(12)} ${f.strength === undefined || f.strength === null ? ''.padStart(6) : num(f.strength, 2).padStart(6)}${f.held ? '  held' : ''}`
  const fired = [...o.firings.active.map((f) => firing('active', f)), ...o.firings.shadow.map((f) => firing('shadow', f))]
  lines.push(...section(`FIRED RULES — ${o.firings.active.length} active, ${o.firings.shadow.length} shadow`, fired, 'none this tick'))
  lines.push('')
  const ruleErrors = (o.ruleErrors ?? []).map((e) => `${e.rule}: ${e.message}`)
  if (ruleErrors.length > 0) lines.push(...section('RULE ERRORS — not evaluated this tick', ruleErrors, ''), '')

  const approved = o.approved.map(
    (a) =>
      `${a.kind} ${a.target} = ${num(a.value)}${a.previous === undefined || a.previous === null ? '' : ` (was ${num(a.previous)})`}  rule ${a.rule} · agent ${a.agent}${a.healing ? '  [healing rollback]' : ''}`,
  )
  lines.push(...section('APPROVED this tick', approved, 'none'), '')
  const rejected = o.rejected.map((r) => `${r.kind} ${r.target}  ${r.reason}${r.message ? ` — ${r.message}` : ''}  (rule ${r.rule})`)
  lines.push(...section('REJECTED this tick', rejected, 'none'))
  const reasons = stats.reasons()
  if (reasons.length > 0) lines.push(`  so far by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`)

  return lines.map((l) => clip(l, options.columns)).join('\n')
}

/**
 * Makes `line` safe and short for a terminal: control characters (names come from user config
 * files, and an escape sequence in one could repaint or retitle the terminal) become `�`, then
 * the line is cut to `columns` code points, ending in `…` when cut.
 */
function clip(line: string, columns: number): string {
  // oxlint-disable-next-line no-control-regex -- matching control characters is what this does
  const chars = [...line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd').trimEnd()]
  if (columns < 2 || chars.length <= columns) return chars.join('')
  return `${chars.slice(0, columns - 1).join('')}…`
}
