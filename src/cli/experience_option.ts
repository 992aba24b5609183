// `--experience <file>` of gamesa run, replay and backtest: the experience store the run's
// ticks are recorded into (created when missing, appended to otherwise).
import type { ApprovedAction, Engine } from '../engine.js'
import { GamesaError } from '../errors.js'
import { readDocument } from '../files.js'
import { type ActuationResult, ExperiencePlan, ExperienceRecorder, ExperienceWriter } from '../guardian/experience/index.js'
import type { LiveActionResult } from '../workloads.js'

/** The help lines of the option, the same in every command, its text starting at `column`. */
export function experienceHelp(column: number): string {
  const flag = '  --experience <file>'
  const indent = ' '.repeat(column)
  const first = flag.length + 2 <= column ? flag.padEnd(column) : `${flag}\n${indent}`
  return [
    `${first}also record every tick into this experience store (SQLite; created`,
    `${indent}when missing, appended to otherwise): state, actions and outcomes,`,
    `${indent}and the reward of the config's "reward" expression (gamesa experience)`,
  ].join('\n')
}

/** Opens the store for `command`; a problem is printed and becomes exit code 1. */
export function openExperience(command: string, path: string): ExperienceWriter | number {
  try {
    return ExperienceWriter.open(path)
  } catch (err) {
    if (err instanceof GamesaError) {
      console.error(`gamesa ${command}: ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  }
}

/** A live run's recording: the store and the recorder feeding it. */
export interface LiveRecording {
  writer: ExperienceWriter
  recorder: ExperienceRecorder
}

/** Opens the store and compiles the config's reward for a live run; a problem is printed and becomes exit code 1. */
export function startLiveRecording(command: string, path: string, configPath: string): LiveRecording | number {
  const writer = openExperience(command, path)
  if (typeof writer === 'number') return writer
  try {
    const plan = new ExperiencePlan(readDocument(configPath, 'engine config'))
    return { writer, recorder: new ExperienceRecorder(writer, plan, 'run', `run ${configPath}`) }
  } catch (err) {
    writer.close()
    if (err instanceof GamesaError) {
      console.error(`gamesa ${command}: ${configPath}: ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  }
}

/**
 * What became of each approved action on the machine: the live workloads' results, matched by
 * kind and target (they list only the actions they handle). An action they do not handle, or
 * any in a dry run, is a dry run.
 */
export function liveOutcomes(approved: readonly Pick<ApprovedAction, 'kind' | 'target'>[], results: readonly LiveActionResult[]): ActuationResult[] {
  const byAction = new Map(results.map((r) => [`${r.kind}\u0000${r.target}`, r]))
  return approved.map((a): ActuationResult => {
    const r = byAction.get(`${a.kind}\u0000${a.target}`)
    if (r === undefined || r.status === 'ignored') return { outcome: 'dry_run', detail: 'not an action the live workloads apply' }
    if (r.status === 'applied') return { outcome: 'applied' }
    if (r.status === 'dry_run') return { outcome: 'dry_run' }
    return { outcome: 'failed', detail: `${r.status}${r.code ? ` ${r.code}` : ''}${r.message ? `: ${r.message}` : ''}` }
  })
}

/** Records one live tick: the engine's full output (its last tick) with the machine's outcomes. */
export function recordLiveTick(recording: LiveRecording, engine: Engine, values: Readonly<Record<string, number>>, results: readonly LiveActionResult[]): void {
  const output = engine.lastTick()
  if (output === null) return
  recording.recorder.record({ values, output, outcomes: liveOutcomes(output.approved, output.approved.length > 0 ? results : []) })
}

/** Ends a live recording: the last tick is written and the store closed. Problems are printed. */
export function finishLiveRecording(command: string, recording: LiveRecording | undefined): boolean {
  if (recording === undefined) return true
  try {
    recording.recorder.finish()
    return true
  } catch (err) {
    console.error(`gamesa ${command}: writing the experience store failed: ${err instanceof Error ? err.message : String(err)}`)
    return false
  } finally {
    try {
      recording.writer.close()
    } catch (err) {
      console.error(`gamesa ${command}: closing the experience store failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
}
