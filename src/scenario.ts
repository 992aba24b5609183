// Simulator scenarios (docs/simulator.md): the zod schema mirroring the Rust serde structs of
// crates/gamesa-core/src/sim/scenario.rs, and validation with the same rules, in the same order,
// reporting the same JSON path. samples/scenarios/invalid/ is checked against both sides.
import { z } from 'zod'
import { addProblem, firstStructuralProblem, parseJson, validated } from './json_document.js'

/** Limits of a scenario (the `MAX_*` constants of crates/gamesa-core/src/sim/scenario.rs). */
export const SCENARIO_LIMITS = {
  /** Largest seed: 2^53 − 1. */
  maxSeed: Number.MAX_SAFE_INTEGER,
  /** Most ticks one run may have. */
  maxTicks: 1_000_000,
  /** Most CPU cores of a simulated machine. */
  maxCores: 1024,
  /** Most GPUs of a simulated machine. */
  maxGpus: 8,
  /** Most workloads in a scenario. */
  maxWorkloads: 64,
} as const
const { maxSeed: MAX_SEED, maxTicks: MAX_TICKS, maxCores: MAX_CORES, maxGpus: MAX_GPUS, maxWorkloads: MAX_WORKLOADS } = SCENARIO_LIMITS

/** The actuation kinds the simulated plant understands (stream-api §3). */
export const SIM_ACTUATION_KINDS = ['set_gpu_power_limit', 'set_cpu_freq_max', 'set_cpu_weight', 'set_cpu_quota', 'pin_cores'] as const
/** One of {@link SIM_ACTUATION_KINDS}. */
export type SimActuationKind = (typeof SIM_ACTUATION_KINDS)[number]

// Field order in every object is the Rust struct's declaration order: serde reports the
// first missing field in that order, and zod's issues keep it.
// `Option<T>` fields are `nullish` (serde reads null as None); fields with a serde default
// but no Option are `optional` (null is a type error on both sides).

const actuationSchema = z.strictObject({
  kind: z.string(),
  target: z.string(),
  value: z.number(),
})

const cpuSchema = z.strictObject({
  cores: z.number(),
  freqMinMhz: z.number(),
  freqMaxMhz: z.number(),
  idleW: z.number(),
  dynamicW: z.number(),
  freqPowerExponent: z.number().optional(),
  thermalResistanceCPerW: z.number(),
  timeConstantS: z.number(),
  limitC: z.number(),
  criticalC: z.number(),
  initialC: z.number().nullish(),
})

const gpuSchema = z.strictObject({
  powerMinW: z.number(),
  powerMaxW: z.number(),
  powerLimitW: z.number().nullish(),
  idleW: z.number(),
  peakW: z.number(),
  powerExponent: z.number().optional(),
  smClockMaxMhz: z.number(),
  memTotalMb: z.number(),
  thermalResistanceCPerW: z.number(),
  timeConstantS: z.number(),
  limitC: z.number(),
  initialC: z.number().nullish(),
})

const machineSchema = z.strictObject({
  ambientC: z.number().optional(),
  powerCapW: z.number().nullish(),
  memTotalMb: z.number().optional(),
  baseMemMb: z.number().optional(),
  cpu: cpuSchema,
  gpus: z.array(gpuSchema).optional(),
})

const steadySchema = z.strictObject({
  cpuCores: z.number().optional(),
  gpuUtil: z.number().optional(),
  unitsPerS: z.number().optional(),
})

const burstySchema = z.strictObject({
  cpuCores: z.number().optional(),
  gpuUtil: z.number().optional(),
  idleCpuCores: z.number().optional(),
  idleGpuUtil: z.number().optional(),
  meanOnS: z.number(),
  meanOffS: z.number(),
  startOn: z.boolean().optional(),
  unitsPerS: z.number().optional(),
})

const frameLoopSchema = z.strictObject({
  periodMs: z.number(),
  deadlineMs: z.number().nullish(),
  threads: z.number(),
  cpuMsPerFrame: z.number(),
  gpuMsPerFrame: z.number().optional(),
  jitter: z.number().optional(),
})

const batchSchema = z.strictObject({
  cpuCores: z.number().optional(),
  gpuUtil: z.number().optional(),
  unitsPerS: z.number(),
  totalUnits: z.number(),
})

const workloadSchema = z.strictObject({
  name: z.string(),
  priority: z.boolean().optional(),
  startS: z.number().optional(),
  cpuWeight: z.number().nullish(),
  cpuQuota: z.number().nullish(),
  pinnedCores: z.number().nullish(),
  memMb: z.number().optional(),
  gpu: z.number().optional(),
  gpuMemMb: z.number().optional(),
  steady: steadySchema.nullish(),
  bursty: burstySchema.nullish(),
  frameLoop: frameLoopSchema.nullish(),
  batch: batchSchema.nullish(),
})

/** The structure (types, required and unknown fields) of a scenario, without the semantic rules. */
const structureSchema = z.strictObject({
  $schema: z.string().nullish(),
  name: z.string(),
  description: z.string().optional(),
  seed: z.number().optional(),
  durationS: z.number(),
  tickMs: z.number().optional(),
  machine: machineSchema,
  workloads: z.array(workloadSchema),
  baseline: z.array(actuationSchema).optional(),
})

/** A setting change: `kind` on `target` to `value`. */
export type SimActuation = z.infer<typeof actuationSchema>
/** The CPU package of a simulated machine. */
export type ScenarioCpu = z.infer<typeof cpuSchema>
/** A GPU of a simulated machine. */
export type ScenarioGpu = z.infer<typeof gpuSchema>
/** The simulated machine. */
export type ScenarioMachine = z.infer<typeof machineSchema>
/** A workload with exactly one profile (`steady`, `bursty`, `frameLoop`, `batch`). */
export type ScenarioWorkload = z.infer<typeof workloadSchema>
/** Constant demand. */
export type SteadyProfile = z.infer<typeof steadySchema>
/** On/off demand. */
export type BurstyProfile = z.infer<typeof burstySchema>
/** A periodic frame loop with a deadline. */
export type FrameLoopProfile = z.infer<typeof frameLoopSchema>
/** A batch job with a total amount of work. */
export type BatchProfile = z.infer<typeof batchSchema>

/** A problem of a scenario: its JSON path (`$` for malformed JSON) and a message. */
export interface ScenarioProblem {
  path: string
  message: string
}

/**
 * The scenario schema: structure plus every semantic rule of `Scenario::validate` (ranges,
 * whole numbers, unique identifiers, one profile per workload, GPUs that exist, a baseline the
 * plant accepts). Same verdict and same first path as the Rust side.
 */
export const scenarioSchema = structureSchema.superRefine((scenario, ctx) => {
  const problem = semanticProblem(scenario)
  addProblem(ctx, problem)
})

/** A validated scenario (the JSON form of samples/scenarios/*.json). */
export type Scenario = z.infer<typeof scenarioSchema>

/** The first problem of `value` as a scenario, or null when it is valid. */
export function checkScenario(value: unknown): ScenarioProblem | null {
  const structure = structureSchema.safeParse(value)
  if (!structure.success) return firstStructuralProblem(structure.error.issues, value)
  return semanticProblem(structure.data)
}

/** Returns `value` as a scenario, or throws `GamesaError('INVALID_SCENARIO')` with its `path`. */
export function validateScenario(value: unknown): Scenario {
  return validated<Scenario>(value, checkScenario, 'INVALID_SCENARIO')
}

/** Parses JSON text and validates it; malformed JSON is reported at path `$`. */
export function parseScenario(text: string): Scenario {
  return validateScenario(parseJson(text, 'INVALID_SCENARIO'))
}

type Structure = z.infer<typeof structureSchema>
type Problem = ScenarioProblem | null

/** `(lo` or `[lo`, `hi)` or `hi]`: `open` excludes the end. */
interface Bound {
  value: number
  open: boolean
}
const open = (value: number): Bound => ({ value, open: true })
const closed = (value: number): Bound => ({ value, open: false })

function range(x: number, path: string, lo: Bound, hi: Bound): Problem {
  const okLo = lo.open ? x > lo.value : x >= lo.value
  const okHi = hi.open ? x < hi.value : x <= hi.value
  if (Number.isFinite(x) && okLo && okHi) return null
  const l = `${lo.open ? '(' : '['}${lo.value}`
  const h = `${hi.value}${hi.open ? ')' : ']'}`
  return { path, message: `must be a finite number in ${l}, ${h}, got ${x}` }
}

function whole(x: number, path: string, lo: number, hi: number): Problem {
  if (Number.isFinite(x) && Number.isInteger(x) && x >= lo && x <= hi) return null
  return { path, message: `must be a whole number in [${lo}, ${hi}], got ${x}` }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const SCENARIO_NAME = /^[A-Za-z0-9_-]+$/

/** The first of several checks that fails, or null. */
function first(...checks: (() => Problem)[]): Problem {
  for (const check of checks) {
    const p = check()
    if (p !== null) return p
  }
  return null
}

/** `Scenario::validate`, rule by rule in the same order. */
function semanticProblem(s: Structure): Problem {
  if (!(s.name.length >= 1 && s.name.length <= 64 && SCENARIO_NAME.test(s.name))) {
    return { path: '$.name', message: 'name must be 1..64 characters of A-Z, a-z, 0-9, _ and -' }
  }
  const seed = s.seed ?? 1
  const tickMs = s.tickMs ?? 100
  const p = first(
    () => whole(seed, '$.seed', 0, MAX_SEED),
    () => range(s.durationS, '$.durationS', open(0), closed(1e9)),
    () => range(tickMs, '$.tickMs', open(0), closed(1e9)),
  )
  if (p !== null) return p
  if ((s.durationS * 1000) / tickMs > MAX_TICKS) {
    return { path: '$.tickMs', message: `durationS · 1000 / tickMs must be at most ${MAX_TICKS} ticks` }
  }
  return machineProblem(s.machine) ?? workloadsProblem(s) ?? baselineProblem(s)
}

function thermal(r: number, tau: number, limit: number, ambient: number, at: string): Problem {
  return first(
    () => range(r, `${at}.thermalResistanceCPerW`, open(0), closed(100)),
    () => range(tau, `${at}.timeConstantS`, open(0), closed(1e6)),
    () => range(limit, `${at}.limitC`, open(ambient), closed(1000)),
  )
}

function machineProblem(m: ScenarioMachine): Problem {
  const ambient = m.ambientC ?? 25
  const memTotal = m.memTotalMb ?? 32768
  const c = m.cpu
  const at = '$.machine.cpu'
  const p = first(
    () => range(ambient, '$.machine.ambientC', closed(-50), closed(100)),
    () => (m.powerCapW == null ? null : range(m.powerCapW, '$.machine.powerCapW', open(0), closed(1e6))),
    () => range(memTotal, '$.machine.memTotalMb', open(0), closed(1e9)),
    () => range(m.baseMemMb ?? 2048, '$.machine.baseMemMb', closed(0), closed(memTotal)),
    () => whole(c.cores, `${at}.cores`, 1, MAX_CORES),
    () => range(c.freqMinMhz, `${at}.freqMinMhz`, open(0), closed(1e5)),
    () => range(c.freqMaxMhz, `${at}.freqMaxMhz`, closed(c.freqMinMhz), closed(1e5)),
    () => range(c.idleW, `${at}.idleW`, closed(0), closed(1e5)),
    () => range(c.dynamicW, `${at}.dynamicW`, closed(0), closed(1e5)),
    () => range(c.freqPowerExponent ?? 2.5, `${at}.freqPowerExponent`, closed(1), closed(4)),
    () => thermal(c.thermalResistanceCPerW, c.timeConstantS, c.limitC, ambient, at),
    () => range(c.criticalC, `${at}.criticalC`, closed(c.limitC), closed(1000)),
    () => (c.initialC == null ? null : range(c.initialC, `${at}.initialC`, closed(-50), closed(1000))),
  )
  if (p !== null) return p
  const gpus = m.gpus ?? []
  if (gpus.length > MAX_GPUS) return { path: '$.machine.gpus', message: `at most ${MAX_GPUS} GPUs, got ${gpus.length}` }
  for (const [i, g] of gpus.entries()) {
    const at = `$.machine.gpus[${i}]`
    const p = first(
      () => range(g.powerMinW, `${at}.powerMinW`, open(Math.max(g.idleW, 0)), closed(1e5)),
      () => range(g.powerMaxW, `${at}.powerMaxW`, closed(g.powerMinW), closed(1e5)),
      () => (g.powerLimitW == null ? null : range(g.powerLimitW, `${at}.powerLimitW`, closed(g.powerMinW), closed(g.powerMaxW))),
      () => range(g.idleW, `${at}.idleW`, closed(0), closed(1e5)),
      () => range(g.peakW, `${at}.peakW`, open(g.idleW), closed(1e5)),
      () => range(g.powerExponent ?? 3, `${at}.powerExponent`, closed(1.5), closed(5)),
      () => range(g.smClockMaxMhz, `${at}.smClockMaxMhz`, open(0), closed(1e5)),
      () => range(g.memTotalMb, `${at}.memTotalMb`, open(0), closed(1e9)),
      () => thermal(g.thermalResistanceCPerW, g.timeConstantS, g.limitC, ambient, at),
      () => (g.initialC == null ? null : range(g.initialC, `${at}.initialC`, closed(-50), closed(1000))),
    )
    if (p !== null) return p
  }
  return null
}

/** Whether the workload's (single) profile puts work on a GPU. */
function usesGpu(w: ScenarioWorkload): boolean {
  const set = [w.steady, w.bursty, w.frameLoop, w.batch].filter((x) => x != null).length
  if (set !== 1) return false
  if (w.steady != null) return (w.steady.gpuUtil ?? 0) > 0
  if (w.bursty != null) return (w.bursty.gpuUtil ?? 0) > 0 || (w.bursty.idleGpuUtil ?? 0) > 0
  if (w.frameLoop != null) return (w.frameLoop.gpuMsPerFrame ?? 0) > 0
  return (w.batch?.gpuUtil ?? 0) > 0
}

function workloadsProblem(s: Structure): Problem {
  const ws = s.workloads
  if (ws.length === 0 || ws.length > MAX_WORKLOADS) {
    return { path: '$.workloads', message: `1..${MAX_WORKLOADS} workloads are required, got ${ws.length}` }
  }
  const cores = s.machine.cpu.cores
  const gpuCount = (s.machine.gpus ?? []).length
  let pinnedTotal = 0
  for (const [i, w] of ws.entries()) {
    const at = `$.workloads[${i}]`
    if (!(w.name.length <= 64 && IDENTIFIER.test(w.name))) {
      return { path: `${at}.name`, message: 'name must be an identifier [A-Za-z_][A-Za-z0-9_]* of at most 64 characters' }
    }
    const dup = ws.findIndex((o) => o.name === w.name)
    if (dup < i) return { path: `${at}.name`, message: `duplicate workload name ${w.name} (already at $.workloads[${dup}])` }
    if (w.priority === true) {
      const prior = ws.findIndex((o) => o.priority === true)
      if (prior < i) return { path: `${at}.priority`, message: `only one workload may be the priority one (already $.workloads[${prior}])` }
    }
    let p = first(
      () => range(w.startS ?? 0, `${at}.startS`, closed(0), closed(1e9)),
      () => (w.cpuWeight == null ? null : range(w.cpuWeight, `${at}.cpuWeight`, closed(1), closed(10_000))),
      () => (w.cpuQuota == null ? null : range(w.cpuQuota, `${at}.cpuQuota`, closed(0.01), closed(cores))),
    )
    if (p !== null) return p
    if (w.pinnedCores != null) {
      p = whole(w.pinnedCores, `${at}.pinnedCores`, 0, cores - 1)
      if (p !== null) return p
      pinnedTotal += w.pinnedCores
      if (pinnedTotal > cores - 1) {
        return {
          path: `${at}.pinnedCores`,
          message: `pinned cores of all workloads must leave at least one shared core (at most ${cores - 1} in all)`,
        }
      }
    }
    const gpu = w.gpu ?? 0
    p = first(
      () => range(w.memMb ?? 0, `${at}.memMb`, closed(0), closed(1e9)),
      () => whole(gpu, `${at}.gpu`, 0, MAX_GPUS - 1),
      () => range(w.gpuMemMb ?? 0, `${at}.gpuMemMb`, closed(0), closed(1e9)),
      () => profileProblem(w, at),
    )
    if (p !== null) return p
    if ((usesGpu(w) || (w.gpuMemMb ?? 0) > 0) && gpu >= gpuCount) {
      return { path: `${at}.gpu`, message: `the workload uses gpu${gpu} but the machine has ${gpuCount} GPU(s)` }
    }
  }
  return null
}

function profileProblem(w: ScenarioWorkload, at: string): Problem {
  const set = [w.steady, w.bursty, w.frameLoop, w.batch].filter((x) => x != null).length
  if (set !== 1) return { path: at, message: `exactly one of steady, bursty, frameLoop, batch is required, got ${set}` }
  if (w.steady != null) {
    const p = w.steady
    const a = `${at}.steady`
    return first(
      () => range(p.cpuCores ?? 0, `${a}.cpuCores`, closed(0), closed(MAX_CORES)),
      () => range(p.gpuUtil ?? 0, `${a}.gpuUtil`, closed(0), closed(1)),
      () => range(p.unitsPerS ?? 1, `${a}.unitsPerS`, open(0), closed(1e12)),
    )
  }
  if (w.bursty != null) {
    const p = w.bursty
    const a = `${at}.bursty`
    const cpu = p.cpuCores ?? 0
    const gpu = p.gpuUtil ?? 0
    return first(
      () => range(cpu, `${a}.cpuCores`, closed(0), closed(MAX_CORES)),
      () => range(gpu, `${a}.gpuUtil`, closed(0), closed(1)),
      () => range(p.idleCpuCores ?? 0, `${a}.idleCpuCores`, closed(0), closed(cpu)),
      () => range(p.idleGpuUtil ?? 0, `${a}.idleGpuUtil`, closed(0), closed(gpu)),
      () => range(p.meanOnS, `${a}.meanOnS`, open(0), closed(1e9)),
      () => range(p.meanOffS, `${a}.meanOffS`, open(0), closed(1e9)),
      () => range(p.unitsPerS ?? 1, `${a}.unitsPerS`, open(0), closed(1e12)),
    )
  }
  if (w.frameLoop != null) {
    const p = w.frameLoop
    const a = `${at}.frameLoop`
    return first(
      () => range(p.periodMs, `${a}.periodMs`, closed(0.1), closed(1e6)),
      () => (p.deadlineMs == null ? null : range(p.deadlineMs, `${a}.deadlineMs`, open(0), closed(1e6))),
      () => whole(p.threads, `${a}.threads`, 1, MAX_CORES),
      () => range(p.cpuMsPerFrame, `${a}.cpuMsPerFrame`, closed(0), closed(1e6)),
      () => range(p.gpuMsPerFrame ?? 0, `${a}.gpuMsPerFrame`, closed(0), closed(1e6)),
      () => range(p.jitter ?? 0, `${a}.jitter`, closed(0), closed(1)),
    )
  }
  const p = w.batch!
  const a = `${at}.batch`
  return first(
    () => range(p.cpuCores ?? 0, `${a}.cpuCores`, closed(0), closed(MAX_CORES)),
    () => range(p.gpuUtil ?? 0, `${a}.gpuUtil`, closed(0), closed(1)),
    () => range(p.unitsPerS, `${a}.unitsPerS`, open(0), closed(1e12)),
    () => range(p.totalUnits, `${a}.totalUnits`, open(0), closed(1e15)),
  )
}

/** The plant's `apply` checks, in order, over the baseline (pins accumulate across it). */
function baselineProblem(s: Structure): Problem {
  const cpu = s.machine.cpu
  const gpus = s.machine.gpus ?? []
  const pinned = new Map(s.workloads.map((w) => [w.name, w.pinnedCores ?? 0]))
  for (const [i, a] of (s.baseline ?? []).entries()) {
    const fail = (message: string): Problem => ({ path: `$.baseline[${i}]`, message: `${a.kind} on ${a.target}: ${message}` })
    const inRange = (lo: number, hi: number): Problem =>
      Number.isFinite(a.value) && a.value >= lo && a.value <= hi ? null : fail(`value must be a finite number in [${lo}, ${hi}], got ${a.value}`)
    if (!(SIM_ACTUATION_KINDS as readonly string[]).includes(a.kind)) return fail(`unknown kind (known: ${SIM_ACTUATION_KINDS.join(', ')})`)
    const kind = a.kind as SimActuationKind
    let p: Problem = null
    if (kind === 'set_gpu_power_limit') {
      const index = gpuIndex(a.target)
      const g = index === null ? undefined : gpus[index]
      if (g === undefined) return fail(`unknown target (the machine has ${gpus.length} GPU(s))`)
      p = inRange(g.powerMinW, g.powerMaxW)
    } else if (kind === 'set_cpu_freq_max') {
      if (a.target !== 'cpu') return fail('unknown target (set_cpu_freq_max takes target "cpu")')
      p = inRange(cpu.freqMinMhz, cpu.freqMaxMhz)
    } else {
      if (!pinned.has(a.target)) return fail(`unknown target (workloads: ${[...pinned.keys()].join(', ')})`)
      if (kind === 'set_cpu_weight') p = inRange(1, 10_000)
      else if (kind === 'set_cpu_quota') p = inRange(0.01, cpu.cores)
      else {
        p = inRange(0, cpu.cores - 1)
        if (p === null && !Number.isInteger(a.value)) p = fail(`value must be a whole number of cores, got ${a.value}`)
        if (p === null) {
          let others = 0
          for (const [name, n] of pinned) if (name !== a.target) others += n
          if (others + a.value > cpu.cores - 1) p = fail(`${a.value} exclusive cores would leave no shared core`)
          else pinned.set(a.target, a.value)
        }
      }
    }
    if (p !== null) return p
  }
  return null
}

/** `gpuN` with N decimal without leading zeros (at most 3 digits), else null. */
function gpuIndex(target: string): number | null {
  const m = /^gpu(0|[1-9][0-9]{0,2})$/.exec(target)
  return m === null ? null : Number(m[1])
}

