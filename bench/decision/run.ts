// The benefit on real processes: a 60 Hz frame loop doing 6 ms of CPU work per frame
// (frameloop.c) beside CPU hogs (at least three; one per core plus one), in four arms of
// ARM_S seconds, all in one run:
//   idle      the frame loop alone;
//   hogs      the frame loop and the hogs, nothing done;
//   governor  the same under `gamesa run --apply --protect frameloop` (samples/live_protect.json:
//             the priority workload's group gets cpu.weight 1000 against 100, and the
//             background's group cpu.idle, both by the engine's rules through the gate), at
//             the default --scan-every (500 ms) and scanning every tick (--scan-every 0);
//   manual    the same with the frame loop at nice -20 (the usual manual setting; no pinning);
//   manual    the same with the hogs under SCHED_IDLE (`chrt --idle 0`), the best manual
//             setting without pinning.
// Reports p50 and p99 frame time, deadline misses (and those after each arm's first 2 s, past
// the governor's start-up), and the hogs' throughput (loop iterations per second, all hogs
// together) against the nothing-done arm; then when the governor arm's misses happened. Needs root for `governor`
// and `manual`. Everything it starts is stopped, and the governor restores on its exit.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/decision/run.ts [ARM_S] [ROUNDS]
import { execFileSync, spawn } from 'node:child_process'
import { cpus, tmpdir } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const ARM_S = Number(process.argv[2] ?? 15)
const ROUNDS = Number(process.argv[3] ?? 1)
const HOGS = Math.max(3, cpus().length + 1)
const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

interface Frames {
  frames: number
  p50_ms: number
  p99_ms: number
  misses: number
  /** When each of the first 64 misses happened, s after the loop started. */
  miss_at_s: number[]
  /** p99 of the frames after the first START_S seconds. */
  late_p99_ms: number
}

/**
 * The arms' first seconds: the governor's scan must see the frame loop and the hogs (and the
 * hogs use CPU) before the groups exist, so misses in them are the start-up, and those after
 * them the steady state.
 */
const START_S = 2

/** Misses after the first START_S seconds (all of them past the 64 the frame loop lists). */
function lateMisses(f: Frames): number {
  const early = f.miss_at_s.filter((t) => t < START_S).length
  return f.misses - early
}

function collect(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.once('error', reject)
    // 'close', not 'exit': a process can exit before its last output has been read.
    p.once('close', (code, signal) => (out === '' ? reject(new Error(`${cmd} ${args.join(' ')}: no output (exit ${code ?? signal})`)) : resolve(out)))
  })
}

/** One arm: `hogs` hogs (run from `hogBin`, named hog) beside the frame loop (from `bin`, after `prefix`). */
async function arm(bin: string, hogBin: string, hogs: number, prefix: string[] = [], hogPrefix: string[] = []): Promise<{ frames: Frames; hogRate: number }> {
  const hogRuns = Array.from({ length: hogs }, () => {
    const [cmd, ...args] = [...hogPrefix, hogBin, 'hog', String(ARM_S)]
    return collect(cmd as string, args)
  })
  const [cmd, ...args] = [...prefix, bin, 'frameloop', String(ARM_S)]
  const frames = JSON.parse(await collect(cmd as string, args)) as Frames
  const iterations = (await Promise.all(hogRuns)).map((o) => (JSON.parse(o) as { iterations: number }).iterations)
  return { frames, hogRate: iterations.reduce((a, b) => a + b, 0) / ARM_S }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gamesa-decision-'))
  // The binary is named frameloop, so --protect frameloop selects it (and not the hogs, which
  // run the same file under the name hog).
  const bin = join(work, 'frameloop')
  execFileSync('cc', ['-O2', '-o', bin, 'bench/decision/frameloop.c'])
  const hogBin = join(work, 'hog')
  execFileSync('cp', [bin, hogBin])
  const root = process.getuid?.() === 0
  type Result = { frames: Frames; hogRate: number }
  const names = ['idle', 'hogs, nothing done', ...(root ? ['hogs + gamesa run --apply --protect', 'the same, --scan-every 0', 'hogs + frame loop at nice -20', 'hogs under SCHED_IDLE (chrt --idle 0)'] : [])]
  // Every arm once per round, in the same order: load from elsewhere on the machine drifts,
  // and rounds spread it over the arms instead of landing on one.
  const rounds: Array<Map<string, Result>> = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const r = new Map<string, Result>()
      r.set('idle', await arm(bin, hogBin, 0))
      r.set('hogs, nothing done', await arm(bin, hogBin, HOGS))
      if (root) {
        for (const [name, extra] of [
          ['hogs + gamesa run --apply --protect', []],
          ['the same, --scan-every 0', ['--scan-every', '0']],
        ] as const) {
          const governor = spawn(process.execPath, [...NODE_ARGS, 'run', '--apply', '--protect', 'frameloop', '--config', 'samples/live_protect.json', '--rate', '10', '--json', '--quiet', '--journal', join(work, 'j.journal'), '--cgroup-subtree', `gamesa-decision-${process.pid}`, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] })
          await new Promise((r) => setTimeout(r, 3000))
          try {
            r.set(name, await arm(bin, hogBin, HOGS))
          } finally {
            governor.kill('SIGTERM')
            await new Promise((r) => governor.once('exit', r))
          }
        }
        r.set('hogs + frame loop at nice -20', await arm(bin, hogBin, HOGS, ['nice', '-n', '-20']))
        r.set('hogs under SCHED_IDLE (chrt --idle 0)', await arm(bin, hogBin, HOGS, [], ['chrt', '--idle', '0']))
      }
      rounds.push(r)
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
  }
  const per = (name: string, f: (r: Result, round: Map<string, Result>) => number) => rounds.map((round) => f(round.get(name)!, round))
  const idleP99 = median(per('idle', (r) => r.frames.p99_ms))
  console.log(`${HOGS} hogs on ${cpus().length} CPUs, ${ARM_S} s per arm, ${ROUNDS} round(s); medians over the rounds, misses summed\n`)
  const idleLateP99 = median(per('idle', (r) => r.frames.late_p99_ms))
  console.log(`| arm | p50 frame | p99 frame | p99 / idle p99 | p99 after the first ${START_S} s / idle's | deadline misses | of them after the first ${START_S} s | hog throughput vs nothing done |`)
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const name of names) {
    const p50 = median(per(name, (r) => r.frames.p50_ms))
    const p99 = median(per(name, (r) => r.frames.p99_ms))
    const misses = per(name, (r) => r.frames.misses).reduce((a, b) => a + b, 0)
    const frames = per(name, (r) => r.frames.frames).reduce((a, b) => a + b, 0)
    const late = per(name, (r) => lateMisses(r.frames)).reduce((a, b) => a + b, 0)
    const lateP99 = median(per(name, (r) => r.frames.late_p99_ms))
    // Each round's hogs against the same round's nothing-done hogs.
    const hog = name === 'idle' ? '–' : `${(100 * median(per(name, (r, round) => r.hogRate / round.get('hogs, nothing done')!.hogRate))).toFixed(1)} %`
    console.log(`| ${name} | ${p50.toFixed(2)} ms | ${p99.toFixed(2)} ms | ${(p99 / idleP99).toFixed(2)}× | ${lateP99.toFixed(2)} ms, ${(lateP99 / idleLateP99).toFixed(2)}× | ${misses} of ${frames} | ${late} | ${hog} |`)
  }
  if (ROUNDS > 1) {
    console.log('\nper round: p99 frame (ms) / hog throughput vs that round\'s nothing done')
    for (const name of names) console.log(`  ${name}: ${per(name, (r) => r.frames.p99_ms).map((x) => x.toFixed(1)).join(', ')} / ${per(name, (r, round) => (100 * r.hogRate) / round.get('hogs, nothing done')!.hogRate).map((x) => x.toFixed(0)).join(', ')} %`)
  }
  if (root) {
    console.log('\nwhen the governor arms missed, s after their frame loop started (per round)')
    for (const name of ['hogs + gamesa run --apply --protect', 'the same, --scan-every 0']) {
      rounds.forEach((round, i) => {
        const f = round.get(name)?.frames
        if (f) console.log(`  ${name}, round ${i + 1}: ${f.miss_at_s.map((t) => t.toFixed(2)).join(', ') || 'none'}`)
      })
    }
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
