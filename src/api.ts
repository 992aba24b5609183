// The public entries of the package with their arguments' JavaScript types checked
// (./arguments.ts): every exported function, constructor and method that takes arguments is
// listed in API_ARGUMENTS, and src/index.ts exports the guarded forms made here. A wrong type
// is a `GamesaError` with code `INVALID_ARGUMENT` naming the argument.
import {
  EffectChecker as NativeEffectCheckerClass,
  createDefaultChecker as nativeCreateDefaultChecker,
  signalKindDomain as nativeSignalKindDomain,
  telemetrySignal as nativeTelemetrySignal,
  verifyAuditFile as nativeVerifyAuditFile,
  verifyAuditNdjson as nativeVerifyAuditNdjson,
} from '../index.js'
import * as actuation from './actuation.js'
import * as allocation from './allocation.js'
import { type ClassArguments, type FunctionArguments, cls, fn, guard, guardClass } from './arguments.js'
import * as contracts from './contracts.js'
import * as effects from './effects.js'
import * as engine from './engine.js'
import * as errors from './errors.js'
import * as expr from './expr.js'
import * as features from './features.js'
import * as gate from './gate.js'
import * as experience from './guardian/experience/index.js'
import * as reflection from './guardian/reflect/index.js'
import * as llm from './guardian/llm/index.js'
import * as jsonDocument from './json_document.js'
import * as market from './market.js'
import * as report from './report/index.js'
import * as rules from './rules.js'
import * as scenario from './scenario.js'
import * as signals from './signals.js'
import * as telemetry from './telemetry.js'
import * as workloads from './workloads.js'
import * as proposals from './guardian/proposals/index.js'

const CHECKER_OPTIONS = 'object{auditPath,fsync,repairTornTail,nowMs,keepInMemory}'
const CHECK = ['agent: string', 'effect: string', 'target?: string|null', 'nowMs?: number|null']
const DOCUMENT = 'object|array|string'

/**
 * What every public entry takes, by its exported name. A class lists its constructor (null for
 * one users never construct) and its methods (`static name` for static ones); classes users
 * only receive from a function are listed too (`CompiledExpression`). Error classes are not
 * entries: constructing an error never throws.
 */
export const API_ARGUMENTS: Readonly<Record<string, FunctionArguments | ClassArguments>> = {
  // Native functions and classes exported as they are, but for this check.
  EffectChecker: cls([`options?: ${CHECKER_OPTIONS}|null`], {
    grant: ['agent: string', 'effects: string[]', 'options?: object{expiresAtMs,targets,nowMs}|null'],
    revoke: ['agent: string', 'effect?: string|null', 'nowMs?: number|null'],
    close: [],
    canPerform: CHECK,
    check: CHECK,
    require: CHECK,
    grants: ['agent: string'],
    auditRecords: ['from?: number|null', 'to?: number|null'],
    exportAuditNdjson: [],
    verifyAudit: [],
    auditAnchor: [],
    auditBase: [],
  }),
  createDefaultChecker: fn(`options?: ${CHECKER_OPTIONS}|null`),
  signalKindDomain: fn('kind: string'),
  telemetrySignal: fn('kind: string', 'strength: number', 'options?: object{id,source,createdAtMs,ttlMs,payload}|null'),
  verifyAuditFile: fn('path: string'),
  verifyAuditNdjson: fn('text: string', 'options?: object{start,end}|null'),
  effectKinds: fn(),
  errorCodes: fn(),
  defaultGrants: fn(),
  nativeVersion: fn(),
  resourceTypes: fn(),
  signalDomains: fn(),
  signalKinds: fn(),
  defaultJournalPath: fn(),

  // errors.ts
  isGamesaError: fn('e: any', 'code?: string'),
  // json_document.ts
  formatPath: fn('segments: array'),
  // allocation.ts
  checkAllocatorConfig: fn('value: any'),
  validateAllocatorConfig: fn('value: any'),
  parseAllocatorConfig: fn('text: string'),
  // A configuration that is not an object is a configuration problem (INVALID_CONFIG at `$`).
  createAllocator: fn('config: any'),
  createDefaultAllocator: fn(),
  Allocator: cls(['config?: any'], {
    allocate: ['request: object'],
    release: ['id: string'],
    tick: ['n?: number'],
    setCapacity: ['resource: string', 'capacity: number'],
    stats: ['resource: string'],
    get: ['id: string'],
    allocations: [],
    takePreempted: [],
    resources: [],
  }),
  // signals.ts
  SignalScheduler: cls(['options?: object|null'], {
    enqueue: ['signal: object'],
    enqueueBatch: ['signals: array'],
    enqueueColumns: ['columns: object'],
    dequeue: ['nowMs?: number'],
    dequeueBatch: ['max: number', 'nowMs?: number'],
    dequeueColumns: ['max: number', 'nowMs?: number'],
    peek: ['nowMs?: number'],
    len: [],
    stats: [],
    clear: [],
  }),
  fromSignalColumns: fn('columns: object'),
  toSignalColumns: fn('signals: array'),
  // effects.ts
  isCapabilityDenied: fn('e: any'),
  // expr.ts
  compileExpression: fn('source: string', 'declarations?: object'),
  CompiledExpression: cls(null, { evaluate: ['bindings: object'] }),
  // features.ts
  SnapshotPacker: cls(['names: string[]'], { pack: ['snapshot: object'] }),
  Features: cls(['native: object'], { compute: ['snapshot: object'], computeDetailed: ['snapshot: object'] }),
  telemetryVariables: fn(),
  declarationLists: fn('variables?: object'),
  documentText: fn('document: any', 'what: string'),
  compileFeatures: fn('presets: object|string', 'options?: object{variables}'),
  checkFeatures: fn('presets: object|string', 'options?: object{variables}'),
  // rules.ts
  RuleSet: cls(['native: object'], {
    evaluate: ['snapshot: object', 'nowMs?: number'],
    stats: [],
    isLatched: ['ruleId: string'],
    reset: [],
  }),
  compileRuleSet: fn(`rules: ${DOCUMENT}`, 'options?: object{variables,features}'),
  checkRules: fn(`rules: ${DOCUMENT}`, 'options?: object{variables,features}'),
  // contracts.ts
  contractProblems: fn('value: any'),
  zodProblems: fn('issues: array'),
  createContractValidator: fn('options?: object'),
  ContractValidator: cls(['withSafety?: boolean'], {
    register: ['contract: object'],
    replace: ['contract: object'],
    remove: ['name: string'],
    has: ['name: string'],
    names: [],
    definition: ['name: string'],
    checkPre: ['name: string', 'context: object'],
    checkPost: ['name: string', 'context: object'],
    checkInvariants: ['name: string', 'context: object'],
  }),
  // telemetry.ts
  TelemetrySampler: cls(['options?: object'], {
    latest: [],
    history: ['n?: number'],
    processes: [],
    subscribe: ['cb: function'],
    stop: [],
  }),
  readSnapshot: fn(),
  readProcesses: fn('limit?: number'),
  // market.ts
  checkMarketDocument: fn('value: any'),
  parseMarketDocument: fn('text: string'),
  // gate.ts
  checkGateConfig: fn('value: any'),
  validateGateConfig: fn('value: any'),
  parseGateConfig: fn('text: string'),
  templateProblem: fn('source: string'),
  // scenario.ts
  checkScenario: fn('value: any'),
  validateScenario: fn('value: any'),
  parseScenario: fn('text: string'),
  // engine.ts
  checkEngineConfig: fn('config: object|string'),
  Engine: cls(['config: object|string'], {
    'static fromFile': ['path: string'],
    tick: ['snapshot: object', 'nowMs?: number'],
    tickJson: ['snapshot: object', 'nowMs?: number'],
    tickValuesJson: ['values: Float64Array', 'nowMs: number'],
    tickValues: ['values: Float64Array', 'nowMs: number'],
    tickValuesDecisionsJson: ['values: Float64Array', 'nowMs: number'],
    lastTickJson: [],
    lastTick: [],
    auditNdjson: [],
    replaceRules: ['rules: array|string'],
  }),
  builtinScenarios: fn(),
  runBacktest: fn('scenario: string', 'config: object|string', 'baseline?: string'),
  runBacktestSuite: fn('config: object|string', 'scenarios?: string[]'),
  replayTrace: fn('config: object|string', 'tracePath: string', 'outPath: string', 'options?: object{onProgress,chunk}'),
  // actuation.ts
  restoreJournal: fn('path?: string'),
  readJournal: fn('path?: string'),
  // workloads.ts
  LiveWorkloads: cls(['config: object', 'options?: object{apply,journalPath,cgroupSubtree}'], {
    pass: [],
    processesStarted: [],
    apply: ['actions: array'],
    restore: [],
    pause: [],
    resume: [],
    close: [],
    enableGameMode: ['options?: object{address,maxGames,audit}'],
  }),
  protectConfig: fn('names: string[]'),
  // report/
  renderBacktestReport: fn('report: object'),
  // guardian/experience/
  runBacktestRecorded: fn('scenario: string', 'config: object|string', 'baseline?: string'),
  ExperienceWriter: cls(['path: string', 'options?: object{batchSize,flushIntervalMs,retention}'], {
    'static open': ['path: string', 'options?: object{batchSize,flushIntervalMs,retention}'],
    beginRun: ['source: string', 'label: string', 'reward?: string', 'config?: string'],
    append: ['run: number', 'row: object'],
    flush: [],
    close: [],
  }),
  ExperienceReader: cls(['path: string'], {
    'static open': ['path: string'],
    runs: [],
    ticks: ['query?: object{fromMs,toMs,run,rule,action,limit}'],
    iterate: ['query?: object{fromMs,toMs,run,rule,action,limit}'],
    stats: [],
    integrityCheck: [],
    close: [],
  }),
  ExperiencePlan: cls(['config: object|string'], { judge: ['values: object', 'outcome: object'] }),
  ExperienceRecorder: cls(['writer: object', 'plan: object', 'source: string', 'label: string'], {
    record: ['tick: object'],
    finish: [],
  }),
  recordBacktest: fn('writer: object', 'scenario: string', 'config: object|string', 'baseline?: string'),
  recordReplay: fn('writer: object', 'config: object|string', 'tracePath: string', 'outPath: string', 'options?: object{onProgress,chunk}'),
  exportExperience: fn('reader: object', 'format: string', 'write: function', 'query?: object{fromMs,toMs,run,rule,action,limit}'),
  exportExperienceParquet: fn('reader: object', 'path: string', 'query?: object{fromMs,toMs,run,rule,action,limit}'),
  // guardian/reflect/, guardian/llm/
  reflect: fn('reader: object', 'options?: object{run,audit,window}'),
  reflectionText: fn('reflection: object'),
  renderReflectionHtml: fn('reflection: object'),
  openAiBackend: fn('options: object{url,model,apiKey,timeoutMs,retries,tokenBudget,maxTokens,backoffMs}'),
  localModelBackend: fn('options: object{modelFile,maxTokens,contextSize,timeoutMs}'),
  proposeWithLlm: fn('reflection: object', 'config: object|string', 'backend: function'),
  // guardian/proposals/
  validateProposal: fn('proposal: any', 'activeConfig: object|string', 'options?: object{allowLoosen}'),
  configSha256: fn('text: string'),
  proposalJsonSchema: fn(),
}

/** Exported classes that are errors: not entries (see API_ARGUMENTS). */
export const ERROR_CLASSES: readonly string[] = ['GamesaError', 'ExpressionCompileError', 'DocumentProblemsError']

function f<F extends (...args: never[]) => unknown>(name: string, impl: F): F {
  const spec = API_ARGUMENTS[name]
  if (spec?.kind !== 'function') throw new Error(`api: no function arguments for ${name}`)
  return guard(impl, name, spec.args)
}

function c<C extends abstract new (...args: never[]) => unknown>(name: string, impl: C): C {
  const spec = API_ARGUMENTS[name]
  if (spec?.kind !== 'class') throw new Error(`api: no class arguments for ${name}`)
  return guardClass(impl, spec, name)
}

// Native.
export const EffectChecker = c('EffectChecker', NativeEffectCheckerClass)
export type EffectChecker = NativeEffectCheckerClass
export const createDefaultChecker = f('createDefaultChecker', nativeCreateDefaultChecker)
export const signalKindDomain = f('signalKindDomain', nativeSignalKindDomain)
export const telemetrySignal = f('telemetrySignal', nativeTelemetrySignal)
export const verifyAuditFile = f('verifyAuditFile', nativeVerifyAuditFile)
export const verifyAuditNdjson = f('verifyAuditNdjson', nativeVerifyAuditNdjson)

export const isGamesaError = f('isGamesaError', errors.isGamesaError)
export const formatPath = f('formatPath', jsonDocument.formatPath)

export const checkAllocatorConfig = f('checkAllocatorConfig', allocation.checkAllocatorConfig)
export const validateAllocatorConfig = f('validateAllocatorConfig', allocation.validateAllocatorConfig)
export const parseAllocatorConfig = f('parseAllocatorConfig', allocation.parseAllocatorConfig)
export const createAllocator = f('createAllocator', allocation.createAllocator)
export const Allocator = c('Allocator', allocation.Allocator)
export type Allocator = allocation.Allocator

export const SignalScheduler = c('SignalScheduler', signals.SignalScheduler)
export type SignalScheduler = signals.SignalScheduler
export const fromSignalColumns = f('fromSignalColumns', signals.fromSignalColumns)
export const toSignalColumns = f('toSignalColumns', signals.toSignalColumns)

export const isCapabilityDenied = f('isCapabilityDenied', effects.isCapabilityDenied)

export const compileExpression = f('compileExpression', expr.compileExpression)
c('CompiledExpression', expr.ExpressionImpl)

export const SnapshotPacker = c('SnapshotPacker', features.SnapshotPacker)
export type SnapshotPacker = features.SnapshotPacker
export const Features = c('Features', features.Features)
export type Features = features.Features
export const declarationLists = f('declarationLists', features.declarationLists)
export const documentText = f('documentText', features.documentText)
export const compileFeatures = f('compileFeatures', features.compileFeatures)
export const checkFeatures = f('checkFeatures', features.checkFeatures)

export const RuleSet = c('RuleSet', rules.RuleSet)
export type RuleSet = rules.RuleSet
export const compileRuleSet = f('compileRuleSet', rules.compileRuleSet)
export const checkRules = f('checkRules', rules.checkRules)

export const contractProblems = f('contractProblems', contracts.contractProblems)
export const zodProblems = f('zodProblems', contracts.zodProblems)
export const createContractValidator = f('createContractValidator', contracts.createContractValidator)
export const ContractValidator = c('ContractValidator', contracts.ContractValidator)
export type ContractValidator = contracts.ContractValidator

export const TelemetrySampler = c('TelemetrySampler', telemetry.TelemetrySampler)
export type TelemetrySampler = telemetry.TelemetrySampler
export const readProcesses = f('readProcesses', telemetry.readProcesses)

export const checkMarketDocument = f('checkMarketDocument', market.checkMarketDocument)
export const parseMarketDocument = f('parseMarketDocument', market.parseMarketDocument)

export const checkGateConfig = f('checkGateConfig', gate.checkGateConfig)
export const validateGateConfig = f('validateGateConfig', gate.validateGateConfig)
export const parseGateConfig = f('parseGateConfig', gate.parseGateConfig)
export const templateProblem = f('templateProblem', gate.templateProblem)

export const checkScenario = f('checkScenario', scenario.checkScenario)
export const validateScenario = f('validateScenario', scenario.validateScenario)
export const parseScenario = f('parseScenario', scenario.parseScenario)

export const checkEngineConfig = f('checkEngineConfig', engine.checkEngineConfig)
export const Engine = c('Engine', engine.Engine)
export type Engine = engine.Engine
export const runBacktest = f('runBacktest', engine.runBacktest)
export const runBacktestSuite = f('runBacktestSuite', engine.runBacktestSuite)
export const replayTrace = f('replayTrace', engine.replayTrace)

export const restoreJournal = f('restoreJournal', actuation.restoreJournal)
export const readJournal = f('readJournal', actuation.readJournal)

export const LiveWorkloads = c('LiveWorkloads', workloads.LiveWorkloads)
export type LiveWorkloads = workloads.LiveWorkloads
export const protectConfig = f('protectConfig', workloads.protectConfig)

export const renderBacktestReport = f('renderBacktestReport', report.renderBacktestReport)

export const runBacktestRecorded = f('runBacktestRecorded', engine.runBacktestRecorded)
export const ExperienceWriter = c('ExperienceWriter', experience.ExperienceWriter)
export type ExperienceWriter = experience.ExperienceWriter
export const ExperienceReader = c('ExperienceReader', experience.ExperienceReader)
export type ExperienceReader = experience.ExperienceReader
export const ExperiencePlan = c('ExperiencePlan', experience.ExperiencePlan)
export type ExperiencePlan = experience.ExperiencePlan
export const ExperienceRecorder = c('ExperienceRecorder', experience.ExperienceRecorder)
export type ExperienceRecorder = experience.ExperienceRecorder
export const recordBacktest = f('recordBacktest', experience.recordBacktest)
export const recordReplay = f('recordReplay', experience.recordReplay)
export const exportExperience = f('exportExperience', experience.exportExperience)
export const exportExperienceParquet = f('exportExperienceParquet', experience.exportExperienceParquet)
export const validateProposal = f('validateProposal', proposals.validateProposal)
export const configSha256 = f('configSha256', proposals.configSha256)
export const proposalJsonSchema = f('proposalJsonSchema', proposals.proposalJsonSchema)
export const reflect = f('reflect', reflection.reflect)
export const reflectionText = f('reflectionText', reflection.reflectionText)
export const renderReflectionHtml = f('renderReflectionHtml', reflection.renderReflectionHtml)
export const openAiBackend = f('openAiBackend', llm.openAiBackend)
export const localModelBackend = f('localModelBackend', llm.localModelBackend)
export const proposeWithLlm = f('proposeWithLlm', llm.proposeWithLlm)
