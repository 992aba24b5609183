// The core's lists, limits and defaults, read once from the native addon: the TypeScript layer
// keeps no copy of them. Element types are the string values of the generated enums, so a
// configuration written as plain JSON (`"resource": "cpu_time"`) type-checks.
import {
  type AllocationStrategy,
  type ConfigLimits,
  type ResourceType,
  allocationStrategies,
  configDefaultsJson,
  configLimits,
  effectKinds,
  errorCodes,
  resourceTypes,
} from '../index.js'
import type { EffectName } from './effects.js'

/** A resource as configurations write it (`"cpu_time"`). */
export type ResourceName = `${ResourceType}`
/** An allocation strategy as configurations write it (`"best_fit"`). */
export type StrategyName = `${AllocationStrategy}`

/** Every resource, in the core's declaration order. */
export const RESOURCE_NAMES = Object.freeze(resourceTypes()) as unknown as readonly [ResourceName, ...ResourceName[]]
/** Every effect, in the core's declaration order. */
export const EFFECT_NAMES = Object.freeze(effectKinds()) as unknown as readonly [EffectName, ...EffectName[]]

/** The strategies that fit each resource, the documented one first. */
export const STRATEGIES_FOR_RESOURCE: Readonly<Record<ResourceName, readonly StrategyName[]>> = Object.freeze(
  Object.fromEntries(allocationStrategies().map((r) => [r.resource, Object.freeze(r.strategies)])) as Record<ResourceName, readonly StrategyName[]>,
)
/** Every strategy, each once, in the order the resources first name them. */
export const STRATEGY_NAMES = Object.freeze([...new Set(Object.values(STRATEGIES_FOR_RESOURCE).flat())]) as readonly [StrategyName, ...StrategyName[]]

/** The limits configurations are checked against. */
export const CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze(configLimits())

/** The market section's defaults (docs/market.md). */
export interface MarketDefaults {
  kappa: number
  targetUtilization: number
  priceMin: number
  priceMax: number
  /** The starting price of a resource whose `initialPrices` entry is absent. */
  initialPrice: number
  initialPrices: Partial<Record<ResourceName, number | null>>
  reserve: {
    thermal: { enabled: boolean; variable: string; comfortC: number; minHeadroomC: number; exponent: number; priceAtComfort: number; appliesTo: ResourceName[] }
    power: {
      enabled: boolean
      variables: string[]
      capW?: number | null
      comfortW: number
      minHeadroomW: number
      exponent: number
      priceAtComfort: number
      appliesTo: ResourceName[]
    }
  }
}

/** What absent fields of a configuration become. */
export interface ConfigDefaults {
  /** Nominal tick spacing, ms. */
  tickMs: number
  /** The allocator's pools (as samples/allocation_schema.json). */
  pools: Array<{ resource: ResourceName; strategy: StrategyName; capacity: number; [key: string]: unknown }>
  market: MarketDefaults
  gate: { benefitPerStrength: number }
}

/** The defaults, as the core fills them in. */
export const CONFIG_DEFAULTS: Readonly<ConfigDefaults> = deepFreeze(JSON.parse(configDefaultsJson()) as ConfigDefaults)

/** Every error code (`GamesaError.code`), as the core lists it. */
export const ERROR_CODES: readonly string[] = Object.freeze(errorCodes())

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
