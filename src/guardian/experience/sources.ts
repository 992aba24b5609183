// Simulations produce experience too: a backtest's policy run and a replayed trace become
// experience rows, the same rows a live `gamesa run` writes. Both run natively; what comes back
// per tick is the telemetry the engine saw and its whole tick output.
import { type Baseline, type EngineConfig, type ReplayOptions, type ReplaySummary, type TickOutput, replayTrace, runBacktestRecorded } from '../../engine.js'
import { GamesaError } from '../../errors.js'
import { documentText } from '../../features.js'
import type { BacktestReport } from '../../report/types.js'
import { fileLines } from './lines.js'
import { type ActuationResult, ExperiencePlan, ExperienceRecorder } from './recorder.js'
import type { ExperienceWriter } from './writer.js'

/** A backtest (as `runBacktest`) whose policy run is recorded into `writer`. Returns the report and the run's id. */
export function recordBacktest(
  writer: ExperienceWriter,
  scenario: string,
  config: EngineConfig | string,
  baseline: Baseline = 'none',
): { report: BacktestReport; run: number; ticks: number } {
  const text = documentText(config, 'config')
  const plan = new ExperiencePlan(text)
  const { report, ticks } = runBacktestRecorded(scenario, text, baseline)
  const recorder = new ExperienceRecorder(writer, plan, 'backtest', `backtest ${report.scenario.name}`)
  for (const line of ticks) {
    const t = JSON.parse(line) as { values: Record<string, number | null>; output: TickOutput; outcomes: (string | null)[] }
    const outcomes: ActuationResult[] = t.outcomes.map((o) => (o === null ? { outcome: 'applied' } : { outcome: 'failed', detail: o }))
    recorder.record({ values: t.values, output: t.output, outcomes })
  }
  recorder.finish()
  return { report, run: recorder.run, ticks: ticks.length }
}

/**
 * A replay (as `replayTrace`, writing `outPath`) recorded into `writer`: each decision line is
 * paired with the trace line it came from. Open loop, so every approved action is a dry run.
 */
export function recordReplay(
  writer: ExperienceWriter,
  config: EngineConfig | string,
  tracePath: string,
  outPath: string,
  options: ReplayOptions = {},
): { summary: ReplaySummary; run: number } {
  const text = documentText(config, 'config')
  const plan = new ExperiencePlan(text)
  const summary = replayTrace(text, tracePath, outPath, options)
  const recorder = new ExperienceRecorder(writer, plan, 'replay', `replay ${tracePath}`)
  const trace = fileLines(tracePath)
  trace.next() // the header; replayTrace has checked it
  let count = 0
  let first = true
  for (const line of fileLines(outPath)) {
    if (first) {
      first = false // the decisions header
      continue
    }
    if (line === '') continue
    let snapshot: string | undefined
    for (let t = trace.next(); !t.done; t = trace.next()) {
      if (t.value.trim() !== '') {
        snapshot = t.value
        break
      }
    }
    if (snapshot === undefined) throw new GamesaError('INVALID_TRACE', `${tracePath}: fewer snapshots than the ${outPath} has ticks (was the trace changed during the replay?)`)
    const values = (JSON.parse(snapshot) as { values?: Record<string, number | null> }).values ?? {}
    recorder.record({ values, output: JSON.parse(line) as TickOutput })
    count++
  }
  recorder.finish()
  if (count !== summary.ticks) throw new GamesaError('INVALID_TRACE', `${outPath}: ${count} ticks read back, the replay ran ${summary.ticks}`)
  return { summary, run: recorder.run }
}
