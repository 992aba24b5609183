// TypeScript side of the market configuration: the `market` and `agents` sections of the
// engine document as zod schemas of their structure (the source of schemas/market.schema.json
// and of the types), and the check and parse entry points, which ask the Rust core
// (crates/gamesa-core/src/market/config.rs), where the rules and defaults live.
// `Option` fields (descriptions, `budgetCap`, `capW`, `initialPrices.<resource>`) are `nullish`;
// fields with a default are `optional` (null is an error there).
import { z } from 'zod'
import { checkMarketDocumentJson } from '../index.js'
import { CONFIG_DEFAULTS, CONFIG_LIMITS, EFFECT_NAMES, type MarketDefaults, RESOURCE_NAMES } from './catalog.js'
import { type PathProblem, checkDocument, parseDocument } from './json_document.js'

const PRIORITIES = ['low', 'normal', 'high', 'critical'] as const

/** Upper bound of `kappa`. */
export const MARKET_KAPPA_MAX: number = CONFIG_LIMITS.marketKappaMax
/** Upper bound of a reserve `exponent`. */
export const MARKET_EXPONENT_MAX: number = CONFIG_LIMITS.marketExponentMax
/** Most credits a budget (`budgetPerTick`, `budgetCap`) may name. */
export const MAX_CREDITS: number = CONFIG_LIMITS.maxCredits
/** Longest agent id. */
export const AGENT_ID_MAX_LENGTH: number = CONFIG_LIMITS.agentIdMaxLength

/** The documented defaults of the `market` section (docs/market.md), as the core fills them in. */
export const MARKET_DEFAULTS: Readonly<MarketDefaults> = CONFIG_DEFAULTS.market


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
  appliesTo: z.array(z.enum(RESOURCE_NAMES)).optional().describe('Resources that get the reserve (default ["thermal_headroom"]).'),
})

const PowerReserveStructure = z.strictObject({
  enabled: z.boolean().optional().describe('Default true.'),
  variables: z.array(z.string()).optional().describe('Snapshot variables (W) summed as the measured power (default ["power.cpu_w"]).'),
  capW: z.number().nullish().describe('The power cap in W; absent: no power reserve.'),
  comfortW: z.number().optional().describe('Headroom at and above which there is no reserve, W (default 20).'),
  minHeadroomW: z.number().optional().describe('Headroom at and below which the reserve stops growing, W (default 1).'),
  exponent: z.number().optional().describe('Steepness (default 2).'),
  priceAtComfort: z.number().optional().describe('Reserve at the comfort point, credits per unit (default 1).'),
  appliesTo: z.array(z.enum(RESOURCE_NAMES)).optional().describe('Resources that get the reserve (default ["power_budget"]).'),
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
  targetUtilizations: InitialPricesStructure.optional().describe(
    'Per-resource targetUtilization, each in (0, 1] (default none): a pool that is itself a hard limit, such as the power pool sized to the cap less its margin, may be used to the full.',
  ),
  reserve: ReserveStructure.optional().describe('Reserve prices from thermal and power headroom.'),
})

/** One standing bid (structure); the engine's agents extend it. */
export const BidStructure = z.strictObject({
  resource: z.enum(RESOURCE_NAMES),
  amount: z.union([z.number(), z.string()]).describe('A number, or an expression evaluated every tick.'),
  maxUnitPrice: z.number().describe('Most credits paid per unit.'),
})

/** One agent (structure); the engine's agents extend it. */
export const AgentStructure = z.strictObject({
  id: z.string().describe('Unique: 1-128 letters, digits or _ . : -.'),
  description: z.string().nullish(),
  priority: z.enum(PRIORITIES).optional().describe('Breaks ties (default normal).'),
  budgetPerTick: z.number().describe('Credits added every tick.'),
  budgetCap: z.number().nullish().describe('Most credits held (default 4 × budgetPerTick).'),
  effects: z.array(z.enum(EFFECT_NAMES)).optional().describe('Capabilities held (default none).'),
  bids: z.array(BidStructure).optional().describe('Standing bids (default none).'),
})

const DocumentStructure = z.strictObject({
  $schema: z.string().nullish(),
  description: z.string().nullish(),
  market: MarketStructure.optional(),
  agents: z.array(AgentStructure).optional(),
})

/** A rule broken: the JSON path of the offending value and what is wrong. */
export type MarketConfigProblem = PathProblem

/** The `market` section of the engine document (structure; the core checks the values). */
export const marketConfigSchema = MarketStructure.describe(
  'Market parameters: tâtonnement, price bounds, initial prices, safety reserves (docs/market.md).',
)

/** One agent (`agents[i]`), its structure. */
export const agentSchema = AgentStructure.describe('An agent: budget, priority, capabilities and standing bids.')

/** The whole `agents` section, its structure. */
export const agentsSchema = z.array(AgentStructure)

/** The market part of an engine document, `{"market": {...}, "agents": [...]}` (the corpus shape). */
export const marketDocumentSchema = DocumentStructure

/** Market parameters (JSON form). */
export type MarketConfig = z.infer<typeof marketConfigSchema>
/** One agent (JSON form). */
export type AgentDef = z.infer<typeof agentSchema>
/** A standing bid of an agent (JSON form). */
export type BidDef = z.infer<typeof BidStructure>
/** The market part of an engine document. */
export type MarketDocument = z.infer<typeof marketDocumentSchema>

const nativeCheck = (text: string): PathProblem | null => checkMarketDocumentJson(text)

/** The first problem of `value` as a market document, or null when valid. */
export function checkMarketDocument(value: unknown): MarketConfigProblem | null {
  return checkDocument(value, nativeCheck)
}

/** Parses and validates a market document; throws `GamesaError('INVALID_CONFIG')` with `path`. */
export function parseMarketDocument(text: string): MarketDocument {
  return parseDocument<MarketDocument>(text, nativeCheck, 'INVALID_CONFIG')
}
