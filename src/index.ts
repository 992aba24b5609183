// The one entry of @gamesa/core: the native classes and functions (generated loader at the
// package root) and the TypeScript guardian layer, all with full types.
export * from '../index.js'
export * from './errors.js'
export * from './allocation.js'
export * from './signals.js'
export * from './effects.js'
export * from './expr.js'
export * from './features.js'
export * from './rules.js'
export * from './contracts.js'
export * from './telemetry.js'
