// What the whole `gamesa run` costs the machine in steady state at 10 Hz: telemetry, the
// process scan, the tick, the live workloads' actions, the journal and the audit — the CPU
// time (utime + stime of /proc/PID/stat, clock ticks) of the gamesa process over a window
// after a warm-up, as a share of one core. Arms: dry run with --protect, and (as root)
// --apply --protect, both on samples/live_protect.json with one protected sleeping process.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/live.bench.ts [window seconds] [rate Hz, default 10]
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const WINDOW_S = Number(process.argv[2] ?? 30)
const RATE_HZ = Number(process.argv[3] ?? 10)
const WARMUP_S = 5
const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)

function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14, 15)
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function arm(name: string, args: string[]): Promise<void> {
  const governor = spawn(process.execPath, [...NODE_ARGS, 'run', ...args, '--rate', String(RATE_HZ), '--json', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const pid = governor.pid as number
  await sleep(WARMUP_S * 1000)
  const t0 = cpuTicks(pid)
  const w0 = performance.now()
  await sleep(WINDOW_S * 1000)
  const used = (cpuTicks(pid) - t0) / TICKS_PER_S
  const wall = (performance.now() - w0) / 1000
  governor.kill('SIGTERM')
  await new Promise((r) => governor.once('exit', r))
  console.log(`${name.padEnd(34)} ${((100 * used) / wall).toFixed(2)} % of one core (${used.toFixed(2)} s CPU in ${wall.toFixed(1)} s)`)
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gamesa-live-bench-'))
  const name = `glb${process.pid % 100000}`
  copyFileSync(existsSync('/bin/sleep') ? '/bin/sleep' : '/usr/bin/sleep', join(work, name))
  const protectedProcess = spawn(join(work, name), ['3600'])
  try {
    const common = ['--protect', name, '--config', 'samples/live_protect.json']
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
