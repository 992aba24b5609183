// readSnapshot() against what Node and /proc say about the same machine.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import test from 'ava'
import { readSnapshot, type TelemetrySnapshot } from '@gamesa/core'

const STATUSES = new Set(['present', 'missing', 'permission_denied', 'unsupported', 'error'])

/**
 * Two readings 60 ms apart, so rates such as CPU utilization are present in the second: the
 * kernel counts CPU time in ticks of 10 ms, and two readings within one tick have no delta.
 */
function secondReading(): TelemetrySnapshot {
  readSnapshot()
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60)
  return readSnapshot()
}

/** CPU lines `cpuN` in /proc/stat: the cores the kernel reports ticks for. */
function procStatCores(): number {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line)).length
}

/** A /proc/meminfo field in MiB. */
function meminfoMb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))
  if (!m) throw new Error(`${field} not in /proc/meminfo`)
  return Number(m[1]) / 1024
}

test('the second reading has one utilization per core, as many as /proc/stat and Node see', (t) => {
  const s = secondReading()
  const cores = Object.keys(s.values).filter((k) => /^cpu\.core\d+\.util$/.test(k))
  t.is(cores.length, procStatCores())
  // Node counts the CPUs this process may use; the kernel reports ticks for all online ones.
  t.true(cores.length >= os.availableParallelism())
  for (const k of [...cores, 'cpu.util']) {
    const v = s.values[k] ?? Number.NaN
    t.true(v >= 0 && v <= 1, `${k} = ${v} is not a ratio`)
  }
})

/** The first reading a fresh process takes (the collector is per process, so the test file's own is not fresh). */
function firstReadingOfAFreshProcess(): TelemetrySnapshot {
  const script = "process.stdout.write(require('./index.js').nativeReadSnapshot())"
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as TelemetrySnapshot
}

test('the first reading of a fresh rate says why it is absent instead of reporting 0', (t) => {
  const s = firstReadingOfAFreshProcess()
  const rates = ['cpu.util', ...Array.from({ length: procStatCores() }, (_, i) => `cpu.core${i}.util`)]
  for (const k of rates) {
    t.false(k in s.values, `${k} = ${s.values[k]} on the first reading`)
    t.regex(s.absent[k] ?? '', /needs two readings/, `${k} is not reported absent with the reason`)
  }
  for (const k of Object.keys(s.absent)) t.false(k in s.values, `${k} is both present and absent`)
  for (const [k, reason] of Object.entries(s.absent)) t.true(reason.length > 0, `${k} has an empty reason`)
})

test('a sensor this machine lacks is reported absent with its source and path, not read as 0', (t) => {
  // What the kernel exposes, looked up independently of the readers.
  const lacking = [
    { path: '/sys/class/hwmon', variables: ['thermal.cpu_c', 'thermal.headroom_c'], source: 'thermal' },
    { path: '/sys/class/powercap', variables: ['power.cpu_w'], source: 'rapl' },
    { path: '/sys/devices/system/cpu/cpu0/cpufreq', variables: ['cpu.freq_mhz'], source: 'cpufreq' },
  ].filter((sensor) => !existsSync(sensor.path))
  const s = secondReading()
  for (const { path, variables, source } of lacking) {
    for (const v of variables) {
      t.false(v in s.values, `${v} = ${s.values[v]} although ${path} does not exist`)
      t.true((s.absent[v] ?? '').startsWith(`${source}: missing: ${path}`), `${v}: ${s.absent[v] ?? 'not reported absent'}`)
    }
    t.is(s.sources[source]?.status, 'missing', source)
  }
  if (lacking.length === 0) t.log('this machine has hwmon, powercap and cpufreq: nothing to check absent here')
  // And what the kernel does expose here is read.
  for (const { path, variables } of [
    { path: '/proc/meminfo', variables: ['mem.available_mb', 'mem.used_ratio'] },
    { path: '/proc/loadavg', variables: ['cpu.load1', 'cpu.load5', 'cpu.load15'] },
  ]) {
    if (existsSync(path)) for (const v of variables) t.true(v in s.values, `${path} exists but ${v} is absent: ${s.absent[v]}`)
  }
})

test('memory agrees with os.totalmem() and /proc/meminfo', (t) => {
  const s = secondReading()
  const available = s.values['mem.available_mb'] ?? Number.NaN
  const used = s.values['mem.used_ratio'] ?? Number.NaN
  // used_ratio = 1 - available/total, so the total follows from the two.
  const totalMb = available / (1 - used)
  const nodeTotalMb = os.totalmem() / (1024 * 1024)
  t.true(Math.abs(totalMb - nodeTotalMb) / nodeTotalMb < 0.01, `${totalMb} MiB vs os.totalmem() ${nodeTotalMb} MiB`)
  const procAvailable = meminfoMb('MemAvailable')
  t.true(
    Math.abs(available - procAvailable) / procAvailable < 0.05,
    `${available} MiB vs MemAvailable ${procAvailable} MiB`,
  )
})

test('cpu.load1 agrees with os.loadavg()', (t) => {
  const s = readSnapshot()
  const node = os.loadavg()[0] ?? Number.NaN
  const ours = s.values['cpu.load1'] ?? Number.NaN
  t.is(typeof ours, 'number')
  const diff = Math.abs(ours - node)
  t.true(diff <= 0.5 || diff <= 0.2 * node, `cpu.load1 ${ours} vs os.loadavg()[0] ${node}`)
})

test('every source has a status, and a reason unless present', (t) => {
  const s = readSnapshot()
  for (const name of ['proc_stat', 'meminfo', 'loadavg', 'psi_cpu', 'cgroup', 'cpufreq', 'thermal', 'rapl', 'nvml']) {
    t.true(name in s.sources, `no status for ${name}`)
  }
  for (const [name, src] of Object.entries(s.sources)) {
    t.true(STATUSES.has(src.status), `${name}: ${src.status}`)
    if (src.status === 'present') t.is(src.reason, undefined, name)
    else t.true(typeof src.reason === 'string' && src.reason.length > 0, `${name} has no reason`)
  }
  t.true(Number.isInteger(s.timestampMs))
  t.true(Math.abs(s.timestampMs - Date.now()) < 5000)
})

test('without an NVIDIA driver the GPU source is unsupported or missing, with a reason', (t) => {
  const hasDriver = ['/proc/driver/nvidia/version', '/dev/nvidiactl'].some((p) => {
    try {
      readFileSync(p)
      return true
    } catch {
      return false
    }
  })
  const s = readSnapshot()
  const nvml = s.sources.nvml
  if (!nvml) return t.fail('no nvml source')
  if (hasDriver) {
    t.not(nvml.status, 'missing', 'a driver is installed: NVML should at least load')
    return
  }
  t.true(nvml.status === 'unsupported' || nvml.status === 'missing', nvml.status)
  t.regex(nvml.reason ?? '', /NVML|nvidia/i)
  t.false(Object.keys(s.values).some((k) => k.startsWith('gpu.')))
})
