// The promotion pipeline: validate → shadow → evaluate → promote, audited and reversible.
export { PROMOTION_AGENT, PromotionAudit, type PromotionStep } from './audit.js'
export { lowerBound95 } from './confidence.js'
export { type Evaluation, type EvaluationOptions, type SeedComparison, evaluateProposal, perSeedComparison, safetyRegressions, tableRegressions } from './evaluate.js'
export { type HistoryEntry, historyDir, latestPromotion, promoteFile, rollbackFile } from './history.js'
export { type RunMeasure, measureConfig } from './measure.js'
export {
  DEFAULT_EVALUATION_SEEDS,
  type PipelineOptions,
  type PipelineOutcome,
  type PipelineReport,
  type PromoteOptions,
  type PromotionResult,
  judgeProposal,
  promote,
} from './pipeline.js'
export { DEFAULT_REWARD_WEIGHTS, type RewardTerms, type RewardWeights, rewardTerms, runReward } from './reward.js'
export { type ScenarioVariant, type VariantOptions, scenarioVariants, shippedScenarioNames } from './scenarios.js'
export { type ShadowResult, proposedRules, runShadow, shadowConfig, shadowId } from './shadow.js'
export { applyPromotion, rulesOnlyChange } from './swap.js'
