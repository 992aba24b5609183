// `gamesa reload` (SIGHUP) to a running `gamesa run`: a config file whose rules alone changed has
// them swapped into the running engine between two ticks (a new shadow rule fires in the next
// ticks' output); a file that changes anything else, or whose rules do not compile, changes
// nothing and says why; the run goes on either way.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

interface Tick {
  tick: number
  firings: { active: { rule: string }[]; shadow: { rule: string }[] }
}

test('gamesa reload swaps in changed rules; other changes and bad rules leave the running engine as it was', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-reload-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'engine.json')
  const original = JSON.parse(readFileSync('samples/engine.json', 'utf8')) as { rules: unknown[]; market: { kappa: number } }
  writeFileSync(path, JSON.stringify(original, null, 2))

  const child = spawn(process.execPath, [...NODE_ARGS, 'run', '--config', path, '--json', '--rate', '10', '--duration', '120s'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => child.kill('SIGKILL'))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const ticks: Tick[] = []
  let stderr = ''
  let buffered = ''
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) if (line.trim()) ticks.push(JSON.parse(line) as Tick)
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const until = async (what: string, ok: () => boolean, ms = 60_000) => {
    for (let waited = 0; !ok(); waited += 50) {
      if (waited > ms) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const reload = () => {
    const r = spawnSync(process.execPath, [...NODE_ARGS, 'reload', '--pid', String(child.pid)], { encoding: 'utf8', timeout: 60_000 })
    t.is(r.status, 0, r.stderr)
  }
  await until('the first ticks', () => ticks.length >= 2)
  t.false(ticks.some((k) => k.firings.shadow.some((f) => f.rule === 'reload_probe')))

  // 1. Only the rules change: a shadow rule that fires on every tick is added.
  const probe = { id: 'reload_probe', domain: 'efficiency', priority: 'low', mode: 'shadow', when: 'cpu.util >= 0.0', action: { kind: 'set_cpu_weight', target: 'background', params: { factor: 0.5 } } }
  writeFileSync(path, JSON.stringify({ ...original, rules: [...original.rules, probe] }, null, 2))
  reload()
  await until('the swap', () => /reload: 6 rules .* swapped in/.test(stderr))
  const swappedAt = ticks.length
  await until('a tick with the new rule', () => ticks.slice(swappedAt).some((k) => k.firings.shadow.some((f) => f.rule === 'reload_probe')))
  // Ticks carry on from where they were: the engine was not rebuilt.
  t.is(ticks[swappedAt]!.tick, ticks[swappedAt - 1]!.tick + 1)

  // 2. The market changes too: nothing is swapped, the new rule stays, the run says why.
  writeFileSync(path, JSON.stringify({ ...original, market: { ...original.market, kappa: 0.3 } }, null, 2))
  reload()
  await until('the refusal', () => /also changes market; only rules are swapped while running/.test(stderr))
  const refusedAt = ticks.length
  await until('two more ticks', () => ticks.length >= refusedAt + 2)
  t.true(ticks.slice(refusedAt).every((k) => k.firings.shadow.some((f) => f.rule === 'reload_probe')), 'the running rules stay')

  // 3. Rules that do not compile: refused with the engine's error, nothing changes.
  writeFileSync(path, JSON.stringify({ ...original, rules: [{ ...probe, when: 'cpu.util >=' }] }, null, 2))
  reload()
  await until('the compile error', () => /reload: INVALID_ENGINE_CONFIG: .*the running rules stay/.test(stderr))

  child.kill('SIGTERM')
  t.is(await exited, 143, stderr)
})

test('gamesa reload needs a governor: no pid file and no --pid is exit 1; --help documents SIGHUP', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-reload-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const r = spawnSync(process.execPath, [...NODE_ARGS, 'reload', '--journal', join(dir, 'none.journal')], { encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 1, r.stderr)
  const help = spawnSync(process.execPath, [...NODE_ARGS, 'reload', '--help'], { encoding: 'utf8', timeout: 60_000 })
  t.is(help.status, 0)
  t.regex(help.stdout, /SIGHUP/)
})
