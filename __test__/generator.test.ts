// The policy generator: its parameters (never a safety rule, a shadow rule, a gate limit or a
// contract), literal rewriting that keeps CEL types, and determinism — the same configuration,
// options and seed give the same proposal, byte for byte, through `gamesa learn`.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFor, literalsOf, parametersOf, replaceLiteral, thresholdHints } from '../src/guardian/generator/index.ts'
import { configSha256, validateProposal } from '../src/guardian/proposals/index.ts'

const work = mkdtempSync(join(tmpdir(), 'gamesa-learn-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))
const NAIVE = readFileSync('samples/policies/naive.json', 'utf8')

function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts', ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('numeric literals are found outside names and rewritten as the same kind of literal', (t) => {
  const expr = 'gpu0.temp_c >= 85.0 && wl.priority.cpu_weight < 5000 || cpu.util > 1e-2'
  t.deepEqual(
    literalsOf(expr).map((l) => [l.text, l.integer]),
    [
      ['85.0', false],
      ['5000', true],
      ['1e-2', false],
    ],
  )
  t.is(replaceLiteral(expr, 0, 90), 'gpu0.temp_c >= 90.0 && wl.priority.cpu_weight < 5000 || cpu.util > 1e-2')
  t.is(replaceLiteral(expr, 1, 2500.4), 'gpu0.temp_c >= 85.0 && wl.priority.cpu_weight < 2500 || cpu.util > 1e-2')
  t.is(replaceLiteral(expr, 2, 0.05), 'gpu0.temp_c >= 85.0 && wl.priority.cpu_weight < 5000 || cpu.util > 0.05')
})

test('parameters never include safety rules, shadow rules, gate limits or contracts', (t) => {
  const names = parametersOf(JSON.parse(NAIVE) as Record<string, unknown>).map((p) => p.name)
  t.true(names.some((n) => n.startsWith('rule:priority_frames_late:when#')))
  t.true(names.includes('rule:background_backoff:cooldownMs'))
  t.true(names.includes('bid:sched_agent:0:maxUnitPrice'))
  t.false(names.some((n) => n.includes('cpu_overheat')), 'a safety rule')
  t.false(names.some((n) => n.includes('gpu0_idle_downclock') || n.includes('cpu_saturated_trial')), 'a shadow rule')
  t.false(names.some((n) => n.startsWith('gate') || n.startsWith('contract')))
  // Every parameter's diff is a valid, non-loosening proposal.
  const config = JSON.parse(NAIVE) as Record<string, unknown>
  for (const p of parametersOf(config)) {
    const value = p.value === 0 ? 100 : p.integer ? p.value + 1 : Math.min(p.max, p.value * 0.9)
    const v = validateProposal(
      { id: 'p', author: 'generator', rationale: 'r', change: [diffFor(config, p.name, value)], expectedEffect: { summary: 's', evidence: [{ source: 'simulation', description: 'd' }] }, confidence: 0.5 },
      NAIVE,
    )
    t.deepEqual(v.problems, [], p.name)
  }
})

test('recorded experience gives each variable its quantiles as candidate thresholds', (t) => {
  const samples = Array.from({ length: 100 }, (_, i) => ({
    state: { variables: { 'wl.priority.deadline_miss_rate': i / 100, 'cpu.util': Number.NaN }, features: { priority_lateness: i } },
    reward: i % 2 === 0 ? 1 : null,
  }))
  const hints = thresholdHints(samples)
  t.is(hints.ticks, 100)
  t.is(hints.rewarded, 50)
  t.is(hints.meanReward, 1)
  t.deepEqual(hints.byVariable.get('wl.priority.deadline_miss_rate'), [0.1, 0.25, 0.5, 0.75, 0.9])
  t.deepEqual(hints.byVariable.get('feat.priority_lateness'), [10, 25, 50, 75, 90])
  t.false(hints.byVariable.has('cpu.util'), 'no finite value recorded')
  // A threshold knows the variable it is compared with, so its hints apply to it.
  const p = parametersOf(JSON.parse(NAIVE) as Record<string, unknown>).find((q) => q.name === 'rule:priority_frames_late:when#0')!
  t.is(p.variable, 'wl.priority.deadline_miss_rate')
})

test('gamesa learn is deterministic and writes a valid proposal made against its configuration', (t) => {
  const config = 'samples/policies/naive.json'
  const args = ['--config', config, '--scenarios', 'game_and_compile', '--seeds', '1', '--max-duration', '10', '--budget', '20', '--quiet']
  const a = gamesa('learn', ...args, '--out', join(work, 'a'))
  const b = gamesa('learn', ...args, '--out', join(work, 'b'))
  t.is(a.code, 0, a.stderr)
  t.is(b.code, 0, b.stderr)
  const files = readdirSync(join(work, 'a')).sort()
  t.deepEqual(files, readdirSync(join(work, 'b')).sort())
  for (const f of files) t.is(readFileSync(join(work, 'a', f), 'utf8'), readFileSync(join(work, 'b', f), 'utf8'), f)
  const proposalFile = files.find((f) => f.startsWith('generator-'))
  t.truthy(proposalFile, `no proposal: ${a.stdout}`)
  const proposal = JSON.parse(readFileSync(join(work, 'a', proposalFile!), 'utf8')) as { author: string; base: { configSha256: string }; confidence: number }
  t.is(proposal.author, 'generator')
  t.is(proposal.base.configSha256, configSha256(NAIVE))
  t.deepEqual(validateProposal(proposal, NAIVE).problems, [])
  const report = JSON.parse(readFileSync(join(work, 'a', 'learn-report.json'), 'utf8')) as { evaluated: number; bestReward: number; startReward: number }
  t.true(report.evaluated <= 20)
  t.true(report.bestReward > report.startReward)
})

test('gamesa learn: usage errors exit 2, an invalid configuration exits 1', (t) => {
  t.is(gamesa('learn', '--out', work).code, 2)
  t.is(gamesa('learn', '--config', 'samples/policies/naive.json').code, 2)
  t.is(gamesa('learn', '--config', 'samples/policies/naive.json', '--out', work, '--budget', 'many').code, 2)
  t.is(gamesa('learn', '--config', 'samples/policies/naive.json', '--out', work, '--seeds', '1,1').code, 2)
  const unknown = gamesa('learn', '--config', 'samples/policies/naive.json', '--out', work, '--scenarios', 'nope')
  t.is(unknown.code, 2)
  t.regex(unknown.stderr, /'nope' is not a shipped scenario/)
  const bad = gamesa('learn', '--config', 'samples/engine_configs/invalid/' + readdirSync('samples/engine_configs/invalid')[0], '--out', join(work, 'x'))
  t.is(bad.code, 1, bad.stderr)
})

test('gamesa learn --experience reads a recorded store: its quantiles are tried, and it is cited as evidence', (t) => {
  const dir = mkdtempSync(join(work, 'exp-'))
  const scenario = JSON.parse(readFileSync('samples/scenarios/game_and_compile.json', 'utf8')) as { durationS: number }
  scenario.durationS = 20
  writeFileSync(join(dir, 'short.json'), JSON.stringify(scenario))
  const store = join(dir, 'store.sqlite')
  const rec = gamesa('backtest', '--scenario', join(dir, 'short.json'), '--config', 'samples/policies/naive.json', '--experience', store, '--quiet')
  t.is(rec.code, 0, rec.stderr)
  const args = ['--config', 'samples/policies/naive.json', '--scenarios', 'game_and_compile', '--seeds', '1', '--max-duration', '10', '--budget', '20', '--quiet']
  const r = gamesa('learn', ...args, '--experience', store, '--out', join(dir, 'out'))
  t.is(r.code, 0, r.stderr)
  const report = JSON.parse(readFileSync(join(dir, 'out', 'learn-report.json'), 'utf8')) as { experienceTicks: number; proposal: string }
  t.is(report.experienceTicks, 200)
  const proposal = JSON.parse(readFileSync(join(dir, 'out', `${report.proposal}.json`), 'utf8')) as { expectedEffect: { evidence: { source: string; description: string }[] } }
  const cited = proposal.expectedEffect.evidence.find((e) => e.source === 'experience')
  t.truthy(cited)
  t.regex(cited!.description, /200 recorded ticks/)

  // Without --config, the configuration the store's run was recorded under is the one improved:
  // the same proposal as with --config naming that file, based on that file's hash.
  const naive = readFileSync('samples/policies/naive.json', 'utf8')
  const fromStore = gamesa('learn', ...args.slice(2), '--experience', store, '--out', join(dir, 'out-store'))
  t.is(fromStore.code, 0, fromStore.stderr)
  const storeReport = JSON.parse(readFileSync(join(dir, 'out-store', 'learn-report.json'), 'utf8')) as { config: string; proposal: string }
  t.regex(storeReport.config, /^run 1 of .*store\.sqlite \(backtest /)
  t.is(storeReport.proposal, report.proposal, 'the same configuration gives the same proposal')
  const stored = JSON.parse(readFileSync(join(dir, 'out-store', `${storeReport.proposal}.json`), 'utf8')) as { base: { configSha256: string } }
  t.is(stored.base.configSha256, configSha256(naive))
  t.is(gamesa('learn', '--out', join(dir, 'none')).code, 2, 'neither --config nor --experience')

  writeFileSync(join(dir, 'not-a-store.sqlite'), 'hello')
  const bad = gamesa('learn', ...args, '--experience', join(dir, 'not-a-store.sqlite'), '--out', join(dir, 'bad'))
  t.is(bad.code, 1, bad.stderr)
  t.regex(bad.stderr, /EXPERIENCE_INVALID/)
})
