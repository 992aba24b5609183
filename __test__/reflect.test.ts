// `gamesa reflect`: every figure checked against a hand computation on a store written tick by
// tick, the audit trail verified (and a tampered one caught), the findings in words, and the
// command's text, JSON and self-contained HTML, the same bytes every time.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@gamesa/core'
import { reflect } from '../src/guardian/reflect/index.js'
import type { ExperienceRow } from '../src/guardian/experience/index.js'

const work = mkdtempSync(join(tmpdir(), 'gamesa-reflect-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))
const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * 40 ticks. Rule `hot` (active) fires on ticks 10–14 and 30–34 and its action is approved on
 * those ticks; the reward is 1 before tick 10, 0 from then on. Shadow rule `trial` proposes the
 * same action as `hot` and fires on ticks 12–16: agreeing with `hot` on 12–14 (reward 0 there)
 * and not on 15–16 (reward 0 too)... except tick 16, where the reward is 5. The gate rejects
 * `boost` on ticks 20–22 (cooldown), its actuation fails on tick 25, and tick 33 has a contract
 * violation.
 */
function row(i: number): ExperienceRow {
  const hot = (i >= 10 && i < 15) || (i >= 30 && i < 35)
  const trial = i >= 12 && i < 17
  return {
    tick: i,
    timeMs: i * 100,
    emergency: i === 33,
    state: { features: {}, variables: { x: i } },
    firings: [
      ...(hot ? [{ rule: 'hot', mode: 'active' as const, held: i !== 10 && i !== 30, domain: 'thermal', kind: 'set_cpu_weight', target: 'background' }] : []),
      ...(trial ? [{ rule: 'trial', mode: 'shadow' as const, held: i !== 12, domain: 'thermal', kind: 'set_cpu_weight', target: 'background' }] : []),
    ],
    actions: [
      ...(hot ? [{ rule: 'hot', kind: 'set_cpu_weight', target: 'background', decision: 'approved' as const, value: 50, outcome: 'applied' as const }] : []),
      ...(i >= 20 && i < 23 ? [{ rule: 'boost', kind: 'set_cpu_quota', target: 'priority', decision: 'rejected' as const, reason: 'cooldown', outcome: 'rejected' as const, detail: 'in cooldown' }] : []),
      ...(i === 25 ? [{ rule: 'boost', kind: 'set_cpu_quota', target: 'priority', decision: 'approved' as const, value: 2, outcome: 'failed' as const, detail: 'error ACTUATION_UNSUPPORTED: no cpu.max' }] : []),
      ...(i === 26 ? [{ rule: 'boost', kind: 'set_cpu_quota', target: 'priority', decision: 'rejected' as const, reason: 'not_selected', outcome: 'rejected' as const }] : []),
    ],
    violations: i === 33 ? [{ contract: 'safety_check', kind: 'invariant', violations: ['temp_cpu < 90.0'] }] : [],
    reward: i === 39 ? null : i === 16 ? 5 : i < 10 ? 1 : 0,
    ...(i === 39 ? { rewardError: 'the run ended before the next tick' } : {}),
  }
}

function store(name: string): string {
  const path = join(work, name)
  const writer = core.ExperienceWriter.open(path)
  const run = writer.beginRun('api', 'reflect test', '1.0')
  for (let i = 0; i < 40; i++) writer.append(run, row(i))
  writer.close()
  return path
}

test('the figures, against a hand computation', (t) => {
  const reader = core.ExperienceReader.open(store('hand.db'))
  const r = reflect(reader, { window: 3 })
  reader.close()
  t.is(r.ticks, 40)
  t.is(r.emergencyTicks, 1)
  t.is(r.reward.judged, 39)
  t.deepEqual(r.reward.unjudged, { 'the run ended before the next tick': 1 })
  t.is(r.reward.mean, (10 + 5) / 39)
  t.is(r.reward.firstThird, (10 + 0 + 0 + 0) / 13)
  t.is(r.reward.lastThird, 0)

  const hot = r.rules.find((x) => x.rule === 'hot')!
  t.is(hot.mode, 'active')
  t.is(hot.firings, 10)
  t.is(hot.firingRate, 10 / 40)
  t.is(hot.onsets, 2)
  // Before onset 10: ticks 7, 8, 9 (reward 1); before 30: 27, 28, 29 (0). After: 10–12 and 30–32 (0).
  t.is(hot.rewardBefore, 3 / 6)
  t.is(hot.rewardAfter, 0)
  t.is(hot.rewardDelta, -0.5)
  t.is(hot.approved, 10)
  t.is(hot.action, 'set_cpu_weight background')

  const trial = r.shadow.find((x) => x.rule === 'trial')!
  t.is(trial.ticks, 40)
  // Fired 12–16, the active set acted on 10–14 and 30–34: agree except 10, 11, 15, 16, 30–34.
  t.is(trial.firedAndActed, 3)
  t.is(trial.firedOnly, 2)
  t.is(trial.actedOnly, 7)
  t.is(trial.agreement, (40 - 9) / 40)
  // Followed (12–14): mean 0; not followed (15, 16): mean 2.5.
  t.is(trial.regret, -2.5)

  t.deepEqual(r.rejections.map((c) => [c.key, c.count]), [['cooldown', 3]])
  t.is(r.notSelected, 1)
  t.deepEqual(r.actuationFailures.map((c) => [c.key, c.count, c.example]), [['set_cpu_quota priority', 1, 'error ACTUATION_UNSUPPORTED: no cpu.max']])
  t.deepEqual(r.violations.map((c) => [c.key, c.count, c.example]), [['safety_check (invariant)', 1, 'temp_cpu < 90.0']])
  const boost = r.rules.find((x) => x.rule === 'boost')!
  t.is(boost.rejected, 3)
  t.is(boost.approved, 1)

  // Findings: safety first, in words.
  t.is(r.findings[0]!.severity, 0)
  t.regex(r.findings[0]!.text, /1 contract violation over 40 ticks; most often safety_check \(invariant\)/)
  t.regex(r.findings[1]!.text, /emergency mode .* 1 of 40 ticks/)
  t.true(r.findings.some((f) => /1 approved action failed to apply; most often set_cpu_quota priority/.test(f.text)))
  t.true(r.findings.some((f) => /reward is falling/.test(f.text)))
  t.true(r.findings.some((f) => /gate rejected 3 actions; most for cooldown/.test(f.text)))
  const severities = r.findings.map((f) => f.severity)
  t.deepEqual(severities, severities.toSorted())
})

test('an audit trail is verified and counted; a tampered one is a safety finding', (t) => {
  const engine = new core.Engine(readFileSync('samples/engine.json', 'utf8'))
  for (let i = 0; i < 30; i++) engine.tick({ values: { 'cpu.util': 0.5 + (i % 5) / 10, 'thermal.cpu_c': 60 + i, 'gpu0.temp_c': 50 } }, 1000 + i * 100)
  const audit = join(work, 'audit.ndjson')
  const text = engine.auditNdjson()
  t.true(text.length > 0)
  writeFileSync(audit, text)
  const path = store('audit.db')
  const reader = core.ExperienceReader.open(path)
  const good = reflect(reader, { audit })
  t.true(good.audit!.ok)
  t.is(good.audit!.records, text.trim().split('\n').length)
  t.true(Object.values(good.audit!.decisions).reduce((a, b) => a + b, 0) === good.audit!.records)
  const lines = text.trim().split('\n')
  lines[1] = lines[1]!.replace(/"reason":"/, '"reason":"x')
  writeFileSync(audit, `${lines.join('\n')}\n`)
  const bad = reflect(reader, { audit })
  reader.close()
  t.false(bad.audit!.ok)
  t.true(bad.findings.some((f) => f.severity === 0 && /does not verify/.test(f.text)))
})

test('gamesa reflect: text, --json, --html (self-contained, escaped) and the same bytes twice', (t) => {
  const path = store('cli.db')
  const html = join(work, 'a.html')
  const a = gamesa('reflect', '--experience', path, '--html', html, '--window', '3')
  t.is(a.code, 0, a.stderr)
  t.regex(a.stdout, /top findings\n {2}1\. \[safety\] 1 contract violation/)
  t.regex(a.stdout, /shadow rules against the active set/)
  const json = gamesa('reflect', '--experience', path, '--json', '--window', '3')
  t.is(json.code, 0, json.stderr)
  const r = JSON.parse(json.stdout) as { ticks: number; findings: unknown[]; shadow: { regret: number }[] }
  t.is(r.ticks, 40)
  t.is(r.shadow[0]!.regret, -2.5)
  const page = readFileSync(html, 'utf8')
  t.true(page.startsWith('<!doctype html>'))
  t.regex(page, /Content-Security-Policy" content="default-src 'none'/)
  t.notRegex(page, /<script|https?:\/\//)
  t.regex(page, /<svg/)
  t.regex(page, /temp_cpu &lt; 90\.0/)
  const html2 = join(work, 'b.html')
  t.is(gamesa('reflect', '--experience', path, '--html', html2, '--window', '3').code, 0)
  t.is(readFileSync(html2, 'utf8'), page)
  t.is(gamesa('reflect').code, 2)
  t.is(gamesa('reflect', '--experience', path, '--window', '0').code, 2)
  const missing = gamesa('reflect', '--experience', join(work, 'none.db'))
  t.is(missing.code, 1)
  t.regex(missing.stderr, /IO_ERROR/)
})
