// Simulator scenarios (docs/simulator.md): the zod schema of their structure (the source of
// schemas/scenario.schema.json and of the types), and the check → validate → parse entry points,
// which ask the Rust core (crates/gamesa-core/src/sim/scenario.rs), where the rules and limits live.
import { z } from 'zod'
import { type SimActuationKind, checkScenarioJson, simActuationKinds } from '../index.js'
import { CONFIG_LIMITS } from './catalog.js'
import { type PathProblem, checkDocument, parseDocument, validateDocument } from './json_document.js'

/** Limits of a scenario, as the core checks them. */
export const SCENARIO_LIMITS = Object.freeze({
  /** Largest seed: 2^53 − 1. */
  maxSeed: CONFIG_LIMITS.scenarioMaxSeed,
  /** Most ticks one run may have. */
  maxTicks: CONFIG_LIMITS.scenarioMaxTicks,
  /** Most CPU cores of a simulated machine. */
  maxCores: CONFIG_LIMITS.scenarioMaxCores,
  /** Most GPUs of a simulated machine. */
  maxGpus: CONFIG_LIMITS.scenarioMaxGpus,
  /** Most workloads in a scenario. */
  maxWorkloads: CONFIG_LIMITS.scenarioMaxWorkloads,
})

/** The actuation kinds the simulated plant understands. */
export const SIM_ACTUATION_KINDS: readonly `${SimActuationKind}`[] = Object.freeze(simActuationKinds() as unknown as `${SimActuationKind}`[])

// The structure only (types, required and unknown fields), for the JSON Schema and the types.
// `Option<T>` fields are `nullish` (null reads as absent); fields with a default but no Option
// are `optional` (null is an error there). What the values mean is checked natively.

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

/** The structure (types, required and unknown fields) of a scenario. */
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
export type ScenarioProblem = PathProblem

/** The scenario's structure (zod); what the values mean is checked by {@link checkScenario}. */
export const scenarioSchema = structureSchema

/** A scenario (the JSON form of samples/scenarios/*.json). */
export type Scenario = z.infer<typeof scenarioSchema>

const nativeCheck = (text: string): PathProblem | null => checkScenarioJson(text)

/** The first problem of `value` as a scenario, or null when it is valid. */
export function checkScenario(value: unknown): ScenarioProblem | null {
  return checkDocument(value, nativeCheck)
}

/** Returns `value` as a scenario, or throws `GamesaError('INVALID_SCENARIO')` with its `path`. */
export function validateScenario(value: unknown): Scenario {
  return validateDocument<Scenario>(value, nativeCheck, 'INVALID_SCENARIO')
}

/** Parses JSON text and validates it; malformed JSON is reported at path `$`. */
export function parseScenario(text: string): Scenario {
  return parseDocument<Scenario>(text, nativeCheck, 'INVALID_SCENARIO')
}
