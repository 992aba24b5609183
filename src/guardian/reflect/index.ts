// Metacognitive analysis: how the governor is doing, from its experience (see `gamesa reflect`).
export { reflect, auditSummary, type ReflectOptions } from './analyze.js'
export { reflectionText } from './text.js'
export { renderReflectionHtml } from './html.js'
export type { AuditSummary, Count, Finding, Reflection, RewardTrend, RuleReport, ShadowReport } from './types.js'
