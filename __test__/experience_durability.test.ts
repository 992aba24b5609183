// The experience store survives SIGKILL: a writer child is killed at random points, 24 times,
// appending to the same file each time. After every kill the file opens clean (PRAGMA
// integrity_check = ok), every tick in it is whole (a batch is all or nothing), the ticks of
// each run are a gap-free prefix of what the child appended, and nothing the child had
// reported committed is lost: at most the last, unfinished batch is.
import test from 'ava'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ExperienceReader, ExperienceWriter } from '@gamesa/core'
import { experienceRow } from './helpers/experience_rows.js'
import { rng } from './helpers/inputs.js'

const work = mkdtempSync(join(tmpdir(), 'gamesa-experience-kill-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', '__test__/helpers/experience_writer_child.ts']
const KILLS = 24
const BATCH = 25

/** Starts a writer child, waits until it has committed something, kills it after `delayMs` more. Returns its run id and the last count it reported committed. */
function writeUntilKilled(path: string, delayMs: number): Promise<{ run: number; committed: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, path, String(BATCH), '30'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let stderr = ''
    let run = -1
    let committed = 0
    let timer: NodeJS.Timeout | undefined
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d: string) => (stderr += d))
    child.stdout.on('data', (d: string) => {
      out += d
      const lines = out.split('\n')
      out = lines.pop() ?? ''
      for (const line of lines) {
        const [word, n] = line.split(' ')
        if (word === 'ready') run = Number(n)
        if (word === 'committed') {
          committed = Number(n)
          timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs)
        }
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal} before the kill: ${stderr}`))
      else resolve({ run, committed, stderr })
    })
  })
}

test('24 SIGKILLs of a writer: the file opens clean and loses at most the last batch each time', async (t) => {
  const path = join(work, 'killed.db')
  const random = rng(0x5eed)
  const reported = new Map<number, number>()
  for (let k = 0; k < KILLS; k++) {
    // Kill points from right after the first commit to well into the run.
    const { run, committed } = await writeUntilKilled(path, Math.floor(random() * 400))
    t.true(run > 0, `kill ${k}: the child opened the store`)
    reported.set(run, committed)

    // A raw SQLite connection first: recovery of the WAL, then the integrity check.
    const db = new Database(path)
    t.is(db.pragma('integrity_check', { simple: true }), 'ok', `kill ${k}`)
    db.close()

    const reader = ExperienceReader.open(path)
    const ticks = reader.ticks({ run })
    reader.close()
    t.true(ticks.length >= committed, `kill ${k}: ${ticks.length} ticks stored, ${committed} were reported committed`)
    // Whole rows, in order, no gap: tick i is exactly what the child appended as tick i.
    ticks.forEach((tick, i) => {
      const { run: _run, ...row } = tick
      if (i === 0 || i === ticks.length - 1 || i % 97 === 0) t.deepEqual(row, expectedRow(i), `kill ${k}, tick ${i}`)
      else if (tick.tick !== i || tick.actions.length !== i % 3 || tick.firings.length !== 1) t.fail(`kill ${k}: tick ${i} is not whole: ${JSON.stringify(tick)}`)
    })
  }
  // Earlier runs are untouched by later kills.
  const reader = ExperienceReader.open(path)
  t.is(reader.integrityCheck(), 'ok')
  for (const [run, committed] of reported) t.true(reader.ticks({ run }).length >= committed, `run ${run}`)
  t.is(reader.runs().length, KILLS)
  reader.close()
  // And the file takes a new writer, which sees every run.
  const writer = ExperienceWriter.open(path)
  writer.close()
})

/** Tick `i` as the reader returns it (an absent optional field is left out, as the reader leaves it). */
function expectedRow(i: number): ReturnType<typeof experienceRow> {
  return JSON.parse(JSON.stringify(experienceRow(i))) as ReturnType<typeof experienceRow>
}
