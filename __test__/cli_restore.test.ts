// `gamesa restore` as a user runs it: a journal with nothing to undo, a journal that is not
// a journal, and one another governor still holds. The undoing itself is tested against live
// processes in crates/gamesa-host/tests (SIGKILL at random points, every knob compared).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
const gamesa = (...args: string[]) => {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const work = mkdtempSync(join(tmpdir(), 'gamesa-restore-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

test('a journal with nothing in it restores nothing and says so', (t) => {
  const r = gamesa('restore', '--journal', join(work, 'none.journal'), '--json')
  t.is(r.code, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { entries: number; restored: number; conflicts: unknown[]; failed: unknown[] }
  t.is(report.entries, 0)
  t.is(report.restored, 0)
  t.deepEqual(report.failed, [])
  const text = gamesa('restore', '--journal', join(work, 'none.journal'))
  t.regex(text.stdout, /0 entries; 0 restored/)
})

test('a file that is not a journal is refused as corrupt, not acted on', (t) => {
  const bad = join(work, 'bad.journal')
  writeFileSync(bad, '{"not": "a journal entry"}\n{"either": true}\n', { mode: 0o600 })
  const r = gamesa('restore', '--journal', bad)
  t.is(r.code, 1)
  t.regex(r.stderr, /JOURNAL_CORRUPT/)
})

test('restore --help explains, an unknown option is a usage error', (t) => {
  const help = gamesa('restore', '--help')
  t.is(help.code, 0)
  t.regex(help.stdout, /exact value\s+it replaced/)
  t.is(gamesa('restore', '--jurnal', 'x').code, 2)
})
