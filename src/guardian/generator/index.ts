// The policy generator: seeded coordinate search over an engine configuration's tunable
// parameters against the simulator, written out as a policy proposal.
export { type Parameter, diffFor, formatLiteral, literalsOf, parametersOf, replaceLiteral } from './parameters.js'
export { changeBetween, proposalFrom } from './proposal.js'
export { seededRandom, shuffled } from './random.js'
export { type Move, type SearchOptions, type SearchResult, search } from './search.js'
export { type ExperienceSample, HINT_QUANTILES, type ThresholdHints, thresholdHints } from './experience_hints.js'
