// The registry of `gamesa` subcommands. Each command lives in its own file and is added here.
export interface Command {
  name: string
  /** One line for `gamesa --help`. */
  summary: string
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number> | number
}

import { backtestCommand } from './backtest.js'
import { execCommand } from './exec.js'
import { experienceCommand } from './experience.js'
import { reflectCommand } from './reflect.js'
import { recordCommand } from './record.js'
import { replayCommand } from './replay.js'
import { restoreCommand } from './restore.js'
import { runCommand } from './run.js'
import { snapshotCommand } from './snapshot.js'
import { statusCommand } from './status.js'
import { pauseCommand, reloadCommand, resumeCommand } from './pause.js'
import { promoteCommand } from './promote.js'
import { learnCommand } from './learn.js'
import { topCommand } from './top.js'
import { validateCommand } from './validate.js'

export const commands: Command[] = [validateCommand, snapshotCommand, recordCommand, topCommand, replayCommand, backtestCommand, runCommand, execCommand, statusCommand, pauseCommand, resumeCommand, reloadCommand, restoreCommand, experienceCommand, reflectCommand, promoteCommand, learnCommand]
