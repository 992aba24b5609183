// The lists, limits and defaults the TypeScript layer reads from the core instead of keeping
// copies: they must be what the core uses, and what the TypeScript types promise.
import test from 'ava'
import { readFileSync } from 'node:fs'
import { renderErrorsDoc } from '../scripts/errors_doc.ts'
import {
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  EFFECT_NAMES,
  ERROR_CODES,
  Effect,
  GamesaErrorCode,
  RESOURCE_NAMES,
  ResourceType,
  STRATEGIES_FOR_RESOURCE,
  checkAllocatorConfig,
  checkMarketDocument,
  checkScenario,
  createDefaultAllocator,
  errorCodes,
} from '@gamesa/core'

test("GamesaErrorCode is the core's list of error codes, in the same order", (t) => {
  t.deepEqual(Object.values(GamesaErrorCode), errorCodes())
  t.deepEqual([...ERROR_CODES], errorCodes())
})

test('resources and effects are every value of the generated enums, in declaration order', (t) => {
  t.deepEqual([...RESOURCE_NAMES], Object.values(ResourceType))
  t.deepEqual([...EFFECT_NAMES], Object.values(Effect))
  t.deepEqual(createDefaultAllocator().resources(), [...RESOURCE_NAMES])
})

test('the strategies listed for a resource are exactly the ones the core accepts', (t) => {
  const all = ['first_fit', 'best_fit', 'buddy', 'priority', 'weighted'] as const
  for (const resource of RESOURCE_NAMES) {
    const allowed = STRATEGIES_FOR_RESOURCE[resource]
    t.true(allowed.length > 0, resource)
    for (const strategy of all) {
      const capacity = strategy === 'buddy' ? 64 : 16
      const problem = checkAllocatorConfig({ pools: [{ resource, strategy, capacity }] })
      t.is(problem === null, allowed.includes(strategy), `${resource} ${strategy}: ${problem?.message}`)
    }
  }
})

test('limits are the ones the checks enforce', (t) => {
  const pool = (capacity: number) => ({ pools: [{ resource: 'cpu_cores', strategy: 'first_fit', capacity }] })
  t.is(checkAllocatorConfig(pool(CONFIG_LIMITS.firstFitMaxUnits)), null)
  t.is(checkAllocatorConfig(pool(CONFIG_LIMITS.firstFitMaxUnits + 1))?.path, '$.pools[0].capacity')
  t.is(checkMarketDocument({ market: { kappa: CONFIG_LIMITS.marketKappaMax } }), null)
  t.is(checkMarketDocument({ market: { kappa: CONFIG_LIMITS.marketKappaMax * 1.01 } })?.path, '$.market.kappa')
  const id = (n: number) => ({ agents: [{ id: 'a'.repeat(n), budgetPerTick: 1 }] })
  t.is(checkMarketDocument(id(CONFIG_LIMITS.agentIdMaxLength)), null)
  t.is(checkMarketDocument(id(CONFIG_LIMITS.agentIdMaxLength + 1))?.path, '$.agents[0].id')
  t.is(CONFIG_LIMITS.scenarioMaxGpus, 8)
  const tooManyGpus = checkScenario({
    name: 'g',
    durationS: 1,
    machine: {
      cpu: { cores: 2, freqMinMhz: 800, freqMaxMhz: 3000, idleW: 5, dynamicW: 30, thermalResistanceCPerW: 1, timeConstantS: 5, limitC: 80, criticalC: 95 },
      gpus: Array.from({ length: CONFIG_LIMITS.scenarioMaxGpus + 1 }, () => ({
        powerMinW: 100,
        powerMaxW: 300,
        idleW: 50,
        peakW: 300,
        smClockMaxMhz: 1800,
        memTotalMb: 16000,
        thermalResistanceCPerW: 0.2,
        timeConstantS: 10,
        limitC: 85,
      })),
    },
    workloads: [{ name: 'w', steady: {} }],
  })
  t.is(tooManyGpus?.path, '$.machine.gpus')
})

test('the defaults are the ones an absent field takes', (t) => {
  t.is(CONFIG_DEFAULTS.tickMs, 100)
  const m = CONFIG_DEFAULTS.market
  t.true(m.priceMin < m.initialPrice && m.initialPrice < m.priceMax)
  t.is(checkMarketDocument({ market: { priceMin: m.priceMin, priceMax: m.priceMax, kappa: m.kappa, targetUtilization: m.targetUtilization } }), null)
  // The default pools are the default allocator's.
  t.is(checkAllocatorConfig({ pools: CONFIG_DEFAULTS.pools }), null)
  const defaults = createDefaultAllocator()
  t.deepEqual(
    CONFIG_DEFAULTS.pools.map((p) => p.resource),
    defaults.resources(),
  )
  for (const p of CONFIG_DEFAULTS.pools) t.is(defaults.stats(p.resource as ResourceType).capacity, p.capacity)
  t.true(Object.isFrozen(CONFIG_DEFAULTS.market.reserve.power))
})

test('docs/errors.md is generated from the core list and up to date (npm run errors-doc)', (t) => {
  const page = readFileSync('docs/errors.md', 'utf8')
  t.is(page, renderErrorsDoc())
  for (const code of errorCodes()) t.true(page.includes(`| \`${code}\` |`), code)
})
