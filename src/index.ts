// The one entry of @gamesa/core: the TypeScript layer and, by name, what users need of the
// native addon (generated loader at the package root): its enums, the classes and functions
// with no TypeScript wrapper, and the types in the signatures. The `Native*` classes and the
// raw checkers and lists behind the TypeScript wrappers stay internal.
//
// Every function, constructor and method taking arguments is exported in its checked form
// (./api.ts): a wrong JavaScript type is `INVALID_ARGUMENT` naming the argument. These named
// exports come first and take precedence over the same names in the `export *` lines below.
export {
  Allocator,
  EffectChecker,
  Engine,
  Features,
  ContractValidator,
  RuleSet,
  SignalScheduler,
  SnapshotPacker,
  TelemetrySampler,
  checkAllocatorConfig,
  checkEngineConfig,
  checkFeatures,
  checkGateConfig,
  checkMarketDocument,
  checkRules,
  checkScenario,
  compileExpression,
  compileFeatures,
  compileRuleSet,
  contractProblems,
  createAllocator,
  createDefaultChecker,
  createContractValidator,
  declarationLists,
  documentText,
  formatPath,
  fromSignalColumns,
  isCapabilityDenied,
  isGamesaError,
  LiveWorkloads,
  parseAllocatorConfig,
  parseGateConfig,
  parseMarketDocument,
  parseScenario,
  protectConfig,
  readProcesses,
  renderBacktestReport,
  validateProposal,
  configSha256,
  proposalJsonSchema,
  replayTrace,
  readJournal,
  restoreJournal,
  runBacktest,
  runBacktestSuite,
  signalKindDomain,
  telemetrySignal,
  templateProblem,
  toSignalColumns,
  validateAllocatorConfig,
  validateGateConfig,
  validateScenario,
  verifyAuditFile,
  verifyAuditNdjson,
  zodProblems,
  ExperiencePlan,
  ExperienceReader,
  ExperienceRecorder,
  ExperienceWriter,
  exportExperience,
  exportExperienceParquet,
  recordBacktest,
  recordReplay,
  runBacktestRecorded,
  reflect,
  reflectionText,
  renderReflectionHtml,
  openAiBackend,
  localModelBackend,
  proposeWithLlm,
} from './api.js'
export type { AuditSummary, Finding, Reflection, ReflectOptions, RewardTrend, RuleReport, ShadowReport } from './guardian/reflect/index.js'
export type { LlmAnswer, LlmBackend, LlmProposal, LocalModelOptions, OpenAiOptions } from './guardian/llm/index.js'
export type {
  ActionOutcome,
  ActuationResult,
  ExperienceAction,
  ExperienceFiring,
  ExperienceQuery,
  ExperienceRow,
  ExperienceRun,
  ExperienceSource,
  ExperienceStats,
  ExperienceTick,
  ExperienceViolation,
  ExperienceWriterOptions,
  ExportFormat,
  RecordedTick,
  Retention,
  RewardOutcome,
} from './guardian/experience/index.js'
export { OUTCOME_VARIABLES as REWARD_OUTCOME_VARIABLES } from './guardian/experience/index.js'
export {
  AllocationStrategy,
  AuditDecision,
  ContractConditionKind,
  ContractResponse,
  Effect,
  EnqueueResult,
  GateRejectReason,
  Priority,
  ResourceType,
  SignalDomain,
  SignalKind,
  SimActuationKind,
  ViolationReason,
  effectKinds,
  errorCodes,
  defaultGrants,
  nativeVersion,
  resourceTypes,
  signalDomains,
  signalKinds,
} from '../index.js'
export type {
  Allocation,
  AuditAnchor,
  AuditOpenReport,
  AuditRecord,
  AuditVerifyReport,
  CapacityChange,
  CheckResult,
  ConfigLimits,
  ContractCheckResult,
  ContractProblem,
  ContractSkippedCondition,
  ContractViolation,
  EffectCheckerOptions,
  GrantInfo,
  GrantOptions,
  DefaultGrant,
  LocatedProblem,
  Placement,
  PoolStats,
  RuleFailure,
  RuleSetStats,
  ScenarioInfo,
  Signal,
  SignalBatchResult,
  SignalColumns,
  SignalSchedulerOptions,
  SignalStats,
  TelemetrySignalOptions,
  TornTail,
  VariableDeclaration,
  VerifyAuditOptions,
} from '../index.js'
export * from './errors.js'
export * from './catalog.js'
export * from './allocation.js'
export * from './signals.js'
export * from './effects.js'
export { ExpressionCompileError } from './expr.js'
export type { CompiledExpression, ExpressionBindings, ExpressionDeclarations, ExpressionType, ExpressionValue } from './expr.js'
export * from './features.js'
export * from './rules.js'
export * from './contracts.js'
export * from './telemetry.js'
export * from './market.js'
export * from './gate.js'
export * from './scenario.js'
export * from './engine.js'
export * from './actuation.js'
export * from './workloads.js'
export * from './report/index.js'
export { PROPOSAL_AUTHORS, PolicyProposalSchema, RULE_DIFF_OPS, RuleDiffSchema } from './guardian/proposals/index.js'
export type { PolicyProposal, ProposalAuthor, ProposalEvidence, ProposalProblem, ProposalValidation, RuleDiff, RuleDiffOp, ValidateProposalOptions } from './guardian/proposals/index.js'
