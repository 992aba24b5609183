// The one entry of @gamesa/core: the TypeScript layer and, by name, what users need of the
// native addon (generated loader at the package root): its enums, the classes and functions
// with no TypeScript wrapper, and the types in the signatures. The `Native*` classes and the
// raw checkers and lists behind the TypeScript wrappers stay internal.
export {
  AllocationStrategy,
  AuditDecision,
  ContractConditionKind,
  ContractResponse,
  Effect,
  EffectChecker,
  EnqueueResult,
  GateRejectReason,
  Priority,
  ResourceType,
  SignalDomain,
  SignalKind,
  SimActuationKind,
  ViolationReason,
  createGuardianChecker,
  effectKinds,
  errorCodes,
  guardianDefaultGrants,
  nativeVersion,
  resourceTypes,
  signalDomains,
  signalKindDomain,
  signalKinds,
  telemetrySignal,
  verifyAuditFile,
  verifyAuditNdjson,
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
  GuardianDefaultGrant,
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
export * from './expr.js'
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
