// The public surface of @gamesa/core: the TypeScript layer and, by name, what users need of the
// native addon; the `Native*` classes and the raw functions behind the wrappers stay internal.
import test from 'ava'
import * as core from '@gamesa/core'
import * as native from '../index.js'
import { API_ARGUMENTS } from '../src/api.js'

test('no Native* class, raw native function or benchmark baseline is public', (t) => {
  const names = Object.keys(core)
  t.deepEqual(
    names.filter((n) => /^(Native|native(?!Version$)|JsSignalScheduler$|noop$|__napi)/.test(n) || n.endsWith('Json')),
    [],
  )
})

test('every native export is either public or wrapped, and the public ones are the native values', (t) => {
  const publicNative = Object.keys(native).filter((n) => n in core)
  t.true(publicNative.length > 20)
  // Those taking arguments are exported in their checked form (src/api.ts), under the same name.
  for (const n of publicNative) {
    const value = (core as Record<string, unknown>)[n]
    const raw = (native as Record<string, unknown>)[n]
    const spec = API_ARGUMENTS[n]
    const takesArguments = spec !== undefined && (spec.kind === 'function' ? spec.args.length > 0 : true)
    if (takesArguments) {
      t.not(value, raw, n)
      t.is((value as { name: string }).name, (raw as { name: string }).name, n)
    } else {
      t.is(value, raw, n)
    }
  }
  // What the TypeScript layer offers in place of the internal ones.
  for (const n of ['Allocator', 'Engine', 'SignalScheduler', 'ContractValidator', 'TelemetrySampler', 'compileExpression', 'compileFeatures', 'compileRuleSet', 'checkEngineConfig', 'readSnapshot', 'runBacktest', 'replayTrace']) {
    t.true(n in core, n)
  }
})
