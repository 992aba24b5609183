// What the whole `gamesa run` costs the machine in steady state at 10 Hz: telemetry, the
// process scan, the tick, the live workloads' actions, the journal and the audit — the CPU
// time of the gamesa process's threads over a window after a warm-up, as a share of one core.
// CPU time is the scheduler's (the first field of /proc/PID/task/TID/schedstat, ns), summed
// over the threads alive at both ends of the window: utime + stime of /proc/PID/stat count in
// 10 ms clock ticks that a VM's kernel attributes by sampling, too coarse for a process using
// 1 % of a core. Arms: dry run with --protect scanning the processes every tick
// (--scan-every 0), the same at the default --scan-every (500 ms), and (as root) --apply
// --protect, all on samples/live_protect.json with one protected sleeping process.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/live.bench.ts [window seconds] [rate Hz, default 10]
// (WARMUP_S=<s> changes the 10 s warm-up.)
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const WINDOW_S = Number(process.argv[2] ?? 30)
const RATE_HZ = Number(process.argv[3] ?? 10)
const WARMUP_S = Number(process.env.WARMUP_S ?? 10)
const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

/** CPU time of `pid`'s live threads, seconds (schedstat's time on a CPU). */
function cpuSeconds(pid: number): number {
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e9
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function arm(name: string, args: string[]): Promise<void> {
  const governor = spawn(process.execPath, [...NODE_ARGS, 'run', ...args, '--rate', String(RATE_HZ), '--json', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const pid = governor.pid as number
  await sleep(WARMUP_S * 1000)
  const t0 = cpuSeconds(pid)
  const w0 = performance.now()
  await sleep(WINDOW_S * 1000)
  const used = cpuSeconds(pid) - t0
  const wall = (performance.now() - w0) / 1000
  governor.kill('SIGTERM')
  await new Promise((r) => governor.once('exit', r))
  console.log(`${name.padEnd(40)} ${((100 * used) / wall).toFixed(2)} % of one core (${used.toFixed(3)} s CPU in ${wall.toFixed(1)} s)`)
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gamesa-live-bench-'))
  const name = `glb${process.pid % 100000}`
  copyFileSync(existsSync('/bin/sleep') ? '/bin/sleep' : '/usr/bin/sleep', join(work, name))
  const protectedProcess = spawn(join(work, name), ['3600'])
  try {
    const common = ['--protect', name, '--config', 'samples/live_protect.json']
    await arm('run --protect --scan-every 0 (dry run)', [...common, '--scan-every', '0'])
    await arm('run --protect (dry run)', common)
    if (process.getuid?.() === 0) await arm('run --apply --protect', [...common, '--apply', '--journal', join(work, 'bench.journal'), '--cgroup-subtree', `gamesa-bench-${process.pid}`])
    else console.log('run --apply --protect: needs root, skipped')
  } finally {
    protectedProcess.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
