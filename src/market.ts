// TypeScript side of the market configuration (crates/gamesa-core/src/economics/config.rs):
// the `market` and `agents` sections of the engine document, as zod schemas that give the same
// verdict as serde at the same JSON path. The corpus samples/market_configs/ is checked by both
// sides (cargo test --test economics_corpus, __test__/market_config.test.ts).
//
// Rules, in the order the Rust side checks them (the first failure is reported):
// 1. Structure: objects only, no unknown fields, required fields present, right types. Fields
//    with a default may be absent but not null; `Option` fields (descriptions, `budgetCap`,
//    `capW`, `initialPrices.<resource>`) may also be null.
// 2. market: kappa in (0, 10]; targetUtilization in (0, 1]; priceMin > 0; priceMax > priceMin;
//    initialPrices.<resource> (resource order) within [priceMin, priceMax]; then
//    reserve.thermal and reserve.power (variables non-blank, comfort > 0, minimum headroom in
//    (0, comfort), exponent in (0, 16], priceAtComfort > 0, appliesTo without duplicates).
// 3. agents[i] in order: id (1-128 of letters, digits, _ . : -, unique), budgetPerTick in
//    [0, 1e15], budgetCap in [budgetPerTick, 1e15], effects without duplicates, bids[j]: amount
//    a number >= 0 or a non-blank expression, maxUnitPrice >= 0.
import { z } from 'zod'
import { addProblem, firstStructuralProblem, parseJson, validated } from './json_document.js'

const RESOURCES = ['cpu_cores', 'cpu_time', 'gpu_compute', 'gpu_memory', 'thermal_headroom', 'power_budget'] as const
const PRIORITIES = ['low', 'normal', 'high', 'critical'] as const
const EFFECTS = [
  'cpu_control',
  'gpu_control',
  'memory_control',
  'thermal_control',
  'power_control',
  'process_control',
  'telemetry_read',
  'policy_write',
  'audit_read',
] as const

/** Upper bound of `kappa`. */
export const MARKET_KAPPA_MAX = 10
/** Upper bound of a reserve `exponent`. */
export const MARKET_EXPONENT_MAX = 16
/** Most credits a budget (`budgetPerTick`, `budgetCap`) may name. */
export const MAX_CREDITS = 1e15
/** Longest agent id. */
export const AGENT_ID_MAX_LENGTH = 128

/** The documented defaults of the `market` section (docs/market.md). */
export const MARKET_DEFAULTS = {
  kappa: 0.2,
  targetUtilization: 0.85,
  priceMin: 0.01,
  priceMax: 1000,
  initialPrice: 1,
  reserve: {
    thermal: {
      enabled: true,
      variable: 'thermal.headroom_c',
      comfortC: 15,
      minHeadroomC: 0.5,
      exponent: 2,
      priceAtComfort: 1,
      appliesTo: ['thermal_headroom'],
    },
    power: {
      enabled: true,
      variables: ['power.cpu_w'],
      comfortW: 20,
      minHeadroomW: 1,
      exponent: 2,
      priceAtComfort: 1,
      appliesTo: ['power_budget'],
    },
  },
} as const

// ---------- structure (rule 1); field order = the Rust structs' declaration order ----------

const price = () => z.number().nullish()

const InitialPricesStructure = z.strictObject({
  cpu_cores: price(),
  cpu_time: price(),
  gpu_compute: price(),
  gpu_memory: price(),
  thermal_headroom: price(),
  power_budget: price(),
})

const ThermalReserveStructure = z.strictObject({
  enabled: z.boolean().optional().describe('Default true.'),
  variable: z.string().optional().describe('Snapshot variable with the headroom in °C (default thermal.headroom_c).'),
  comfortC: z.number().optional().describe('Headroom at and above which there is no reserve, °C (default 15).'),
  minHeadroomC: z.number().optional().describe('Headroom at and below which the reserve stops growing, °C (default 0.5).'),
  exponent: z.number().optional().describe('Steepness (default 2).'),
  priceAtComfort: z.number().optional().describe('Reserve at the comfort point, credits per unit (default 1).'),
  appliesTo: z.array(z.enum(RESOURCES)).optional().describe('Resources that get the reserve (default ["thermal_headroom"]).'),
})

const PowerReserveStructure = z.strictObject({
  enabled: z.boolean().optional().describe('Default true.'),
  variables: z.array(z.string()).optional().describe('Snapshot variables (W) summed as the measured power (default ["power.cpu_w"]).'),
  capW: z.number().nullish().describe('The power cap in W; absent: no power reserve.'),
  comfortW: z.number().optional().describe('Headroom at and above which there is no reserve, W (default 20).'),
  minHeadroomW: z.number().optional().describe('Headroom at and below which the reserve stops growing, W (default 1).'),
  exponent: z.number().optional().describe('Steepness (default 2).'),
  priceAtComfort: z.number().optional().describe('Reserve at the comfort point, credits per unit (default 1).'),
  appliesTo: z.array(z.enum(RESOURCES)).optional().describe('Resources that get the reserve (default ["power_budget"]).'),
})

const ReserveStructure = z.strictObject({
  thermal: ThermalReserveStructure.optional(),
  power: PowerReserveStructure.optional(),
})

const MarketStructure = z.strictObject({
  description: z.string().nullish(),
  kappa: z.number().optional().describe('Tâtonnement gain per tick (default 0.2).'),
  targetUtilization: z.number().optional().describe('demand/supply at which prices stand still (default 0.85).'),
  priceMin: z.number().optional().describe('Lowest price, credits per unit (default 0.01).'),
  priceMax: z.number().optional().describe('Highest price, credits per unit (default 1000).'),
  initialPrices: InitialPricesStructure.optional().describe('Starting price per resource (default 1).'),
  reserve: ReserveStructure.optional().describe('Reserve prices from thermal and power headroom.'),
})

const BidStructure = z.strictObject({
  resource: z.enum(RESOURCES),
  amount: z.union([z.number(), z.string()]).describe('A number, or an expression evaluated every tick.'),
  maxUnitPrice: z.number().describe('Most credits paid per unit.'),
})

const AgentStructure = z.strictObject({
  id: z.string().describe('Unique: 1-128 letters, digits or _ . : -.'),
  description: z.string().nullish(),
  priority: z.enum(PRIORITIES).optional().describe('Breaks ties (default normal).'),
  budgetPerTick: z.number().describe('Credits added every tick.'),
  budgetCap: z.number().nullish().describe('Most credits held (default 4 × budgetPerTick).'),
  effects: z.array(z.enum(EFFECTS)).optional().describe('Capabilities held (default none).'),
  bids: z.array(BidStructure).optional().describe('Standing bids (default none).'),
})

const DocumentStructure = z.strictObject({
  $schema: z.string().nullish(),
  description: z.string().nullish(),
  market: MarketStructure.optional(),
  agents: z.array(AgentStructure).optional(),
})

type MarketStructureT = z.infer<typeof MarketStructure>
type AgentStructureT = z.infer<typeof AgentStructure>

/** A rule broken: the JSON path of the offending value and what is wrong. */
export interface MarketConfigProblem {
  path: string
  message: string
}

// ---------- semantic rules 2 and 3, in the Rust order and with the Rust paths ----------

type Problem = MarketConfigProblem | null

function finite(x: number, at: string): Problem {
  return Number.isFinite(x) ? null : { path: at, message: `must be a finite number, got ${x}` }
}

/** `x` finite and `> low` (`strict`) or `>= low`, and `<= high` when given. */
function inRange(x: number, at: string, low: number, strict: boolean, high?: number): Problem {
  const f = finite(x, at)
  if (f !== null) return f
  const lowOk = strict ? x > low : x >= low
  const highOk = high === undefined || x <= high
  if (lowOk && highOk) return null
  const text = `${strict ? '>' : '>='} ${low}${high === undefined ? '' : ` and <= ${high}`}`
  return { path: at, message: `must be ${text}, got ${x}` }
}

function nonBlank(s: string, at: string): Problem {
  return s.trim() === '' ? { path: at, message: 'must not be empty or blank' } : null
}

function duplicates<T>(items: readonly T[], at: string, what: string): Problem {
  for (const [i, item] of items.entries()) {
    if (items.indexOf(item) < i) return { path: `${at}[${i}]`, message: `duplicate ${what} ${String(item)}` }
  }
  return null
}

function curve(
  at: string,
  [comfortName, comfort]: [string, number],
  [minName, min]: [string, number],
  exponent: number,
  priceAtComfort: number,
  appliesTo: readonly string[],
): Problem {
  return (
    inRange(comfort, `${at}.${comfortName}`, 0, true) ??
    inRange(min, `${at}.${minName}`, 0, true) ??
    (min >= comfort ? { path: `${at}.${minName}`, message: `must be less than ${comfortName} (${comfort}), got ${min}` } : null) ??
    inRange(exponent, `${at}.exponent`, 0, true, MARKET_EXPONENT_MAX) ??
    inRange(priceAtComfort, `${at}.priceAtComfort`, 0, true) ??
    duplicates(appliesTo, `${at}.appliesTo`, 'resource')
  )
}

function marketProblem(m: MarketStructureT, at: string): Problem {
  const d = MARKET_DEFAULTS
  const priceMin = m.priceMin ?? d.priceMin
  const priceMax = m.priceMax ?? d.priceMax
  const first =
    inRange(m.kappa ?? d.kappa, `${at}.kappa`, 0, true, MARKET_KAPPA_MAX) ??
    inRange(m.targetUtilization ?? d.targetUtilization, `${at}.targetUtilization`, 0, true, 1) ??
    inRange(priceMin, `${at}.priceMin`, 0, true) ??
    finite(priceMax, `${at}.priceMax`) ??
    (priceMax <= priceMin ? { path: `${at}.priceMax`, message: `must be greater than priceMin (${priceMin}), got ${priceMax}` } : null)
  if (first !== null) return first
  for (const r of RESOURCES) {
    const p = m.initialPrices?.[r]
    if (p === null || p === undefined) continue
    const path = `${at}.initialPrices.${r}`
    const f = finite(p, path)
    if (f !== null) return f
    if (p < priceMin || p > priceMax) {
      return { path, message: `must be within [priceMin, priceMax] = [${priceMin}, ${priceMax}], got ${p}` }
    }
  }
  const t = m.reserve?.thermal ?? {}
  const tAt = `${at}.reserve.thermal`
  const dt = d.reserve.thermal
  const thermal =
    nonBlank(t.variable ?? dt.variable, `${tAt}.variable`) ??
    curve(
      tAt,
      ['comfortC', t.comfortC ?? dt.comfortC],
      ['minHeadroomC', t.minHeadroomC ?? dt.minHeadroomC],
      t.exponent ?? dt.exponent,
      t.priceAtComfort ?? dt.priceAtComfort,
      t.appliesTo ?? dt.appliesTo,
    )
  if (thermal !== null) return thermal
  const p = m.reserve?.power ?? {}
  const pAt = `${at}.reserve.power`
  const dp = d.reserve.power
  const variables = p.variables ?? dp.variables
  if (variables.length === 0) return { path: `${pAt}.variables`, message: 'at least one variable is required' }
  for (const [i, v] of variables.entries()) {
    const problem = nonBlank(v, `${pAt}.variables[${i}]`)
    if (problem !== null) return problem
  }
  if (p.capW !== null && p.capW !== undefined) {
    const problem = inRange(p.capW, `${pAt}.capW`, 0, true)
    if (problem !== null) return problem
  }
  return curve(
    pAt,
    ['comfortW', p.comfortW ?? dp.comfortW],
    ['minHeadroomW', p.minHeadroomW ?? dp.minHeadroomW],
    p.exponent ?? dp.exponent,
    p.priceAtComfort ?? dp.priceAtComfort,
    p.appliesTo ?? dp.appliesTo,
  )
}

const ID_CHARS = /^[A-Za-z0-9_.:-]+$/

function idProblem(id: string, at: string): Problem {
  // Length in Unicode scalar values, as Rust's `chars().count()`.
  if (id === '' || [...id].length > AGENT_ID_MAX_LENGTH || !ID_CHARS.test(id)) {
    return { path: at, message: `an agent id is 1 to ${AGENT_ID_MAX_LENGTH} letters, digits or _ . : -, got ${JSON.stringify(id)}` }
  }
  return null
}

/** Everything of rule 3 about one agent except id uniqueness. */
function agentFieldsProblem(a: AgentStructureT, at: string): Problem {
  const budget = inRange(a.budgetPerTick, `${at}.budgetPerTick`, 0, false, MAX_CREDITS)
  if (budget !== null) return budget
  if (a.budgetCap !== null && a.budgetCap !== undefined) {
    const capAt = `${at}.budgetCap`
    const f = inRange(a.budgetCap, capAt, 0, false, MAX_CREDITS)
    if (f !== null) return f
    if (a.budgetCap < a.budgetPerTick) {
      return { path: capAt, message: `must be at least budgetPerTick (${a.budgetPerTick}), got ${a.budgetCap}` }
    }
  }
  const effects = duplicates(a.effects ?? [], `${at}.effects`, 'effect')
  if (effects !== null) return effects
  for (const [j, bid] of (a.bids ?? []).entries()) {
    const bAt = `${at}.bids[${j}]`
    const amount =
      typeof bid.amount === 'number' ? inRange(bid.amount, `${bAt}.amount`, 0, false) : nonBlank(bid.amount, `${bAt}.amount`)
    const problem = amount ?? inRange(bid.maxUnitPrice, `${bAt}.maxUnitPrice`, 0, false)
    if (problem !== null) return problem
  }
  return null
}

function agentsProblem(agents: readonly AgentStructureT[], at: string): Problem {
  for (const [i, agent] of agents.entries()) {
    const aAt = `${at}[${i}]`
    const id = idProblem(agent.id, `${aAt}.id`)
    if (id !== null) return id
    const first = agents.findIndex((a) => a.id === agent.id)
    if (first < i) {
      return { path: `${aAt}.id`, message: `duplicate agent id ${JSON.stringify(agent.id)} (already used at ${at}[${first}])` }
    }
    const fields = agentFieldsProblem(agent, aAt)
    if (fields !== null) return fields
  }
  return null
}

// ---------- exported schemas ----------

/** The `market` section of the engine document: structure and rule 2. */
export const marketConfigSchema = MarketStructure.superRefine((m, ctx) => addProblem(ctx, marketProblem(m, '$'))).describe(
  'Market parameters: tâtonnement, price bounds, initial prices, safety reserves (docs/market.md).',
)

/** One agent (`agents[i]`): structure and rule 3, except id uniqueness (see {@link agentsSchema}). */
export const agentSchema = AgentStructure.superRefine((a, ctx) => addProblem(ctx, idProblem(a.id, '$.id') ?? agentFieldsProblem(a, '$'))).describe(
  'An agent: budget, priority, capabilities and standing bids.',
)

/** The whole `agents` section: every agent valid and ids unique. */
export const agentsSchema = z.array(AgentStructure).superRefine((agents, ctx) => addProblem(ctx, agentsProblem(agents, '$')))

/** The market part of an engine document, `{"market": {...}, "agents": [...]}` (the corpus shape). */
export const marketDocumentSchema = DocumentStructure.superRefine((doc, ctx) => addProblem(ctx, documentProblem(doc)))

/** Market parameters (JSON form). */
export type MarketConfig = z.infer<typeof marketConfigSchema>
/** One agent (JSON form). */
export type AgentDef = z.infer<typeof agentSchema>
/** A standing bid of an agent (JSON form). */
export type BidDef = z.infer<typeof BidStructure>
/** The market part of an engine document. */
export type MarketDocument = z.infer<typeof marketDocumentSchema>

function documentProblem(doc: z.infer<typeof DocumentStructure>): Problem {
  return marketProblem(doc.market ?? {}, '$.market') ?? agentsProblem(doc.agents ?? [], '$.agents')
}

/** The first problem of `value` as a market document (same path as Rust), or null when valid. */
export function checkMarketDocument(value: unknown): MarketConfigProblem | null {
  const structure = DocumentStructure.safeParse(value)
  if (!structure.success) return firstStructuralProblem(structure.error.issues, value)
  return documentProblem(structure.data)
}

/** Parses and validates a market document; throws `GamesaError('INVALID_CONFIG')` with `path`. */
export function parseMarketDocument(text: string): MarketDocument {
  return validated<MarketDocument>(parseJson(text, 'INVALID_CONFIG'), checkMarketDocument, 'INVALID_CONFIG')
}

