// Wrong JavaScript argument types at every public entry: each is a GamesaError with code
// INVALID_ARGUMENT naming the argument, never a raw Node-API code (`StringExpected`,
// `NumberExpected`, `InvalidArg`, …) or a bare TypeError. The table of what each entry takes
// is src/api.ts (API_ARGUMENTS); the first tests check that it covers every export.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test, { type ExecutionContext } from 'ava'
import * as core from '@gamesa/core'
import { API_ARGUMENTS, ERROR_CLASSES } from '../src/api.js'
import type { ArgumentSpec, ClassArguments } from '../src/arguments.js'
import { fn, guard } from '../src/arguments.js'

const ENGINE_TEXT = readFileSync('samples/engine.json', 'utf8')
const PRESETS_TEXT = readFileSync('samples/scale_presets.json', 'utf8')
const RULE_TEXT = readFileSync('samples/micro_inference_rule.json', 'utf8')

/** TypeScript-private methods, on the prototype only because JavaScript has no other place. */
const PRIVATE_METHODS: Readonly<Record<string, readonly string[]>> = {
  ContractValidator: ['remember', 'check', 'objectContext'],
  RuleSet: ['firing'],
}

const exported = core as unknown as Record<string, unknown>

function isClass(value: unknown): value is abstract new (...args: never[]) => object {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value)) || (
    typeof value === 'function' && value.prototype !== undefined && Object.getOwnPropertyNames(value.prototype).length > 1
  )
}

function ownMethods(target: object): string[] {
  return Object.getOwnPropertyNames(target).filter((name) => {
    if (name === 'constructor') return false
    const d = Object.getOwnPropertyDescriptor(target, name)!
    return typeof d.value === 'function'
  })
}

test('every exported function and class is in the argument table', (t) => {
  for (const [name, value] of Object.entries(exported)) {
    if (typeof value !== 'function') continue
    if (ERROR_CLASSES.includes(name)) continue
    const spec = API_ARGUMENTS[name]
    t.truthy(spec, `${name} is exported but not in API_ARGUMENTS`)
    if (spec === undefined) continue
    t.is(spec.kind, isClass(value) ? 'class' : 'function', name)
    if (spec.kind !== 'class') continue
    const methods = ownMethods((value as { prototype: object }).prototype).filter((m) => !PRIVATE_METHODS[name]?.includes(m))
    const statics = ownMethods(value).filter((m) => !['length', 'name', 'prototype', 'arguments', 'caller'].includes(m)).map((m) => `static ${m}`)
    t.deepEqual([...methods, ...statics].sort(), Object.keys(spec.methods).sort(), `methods of ${name}`)
  }
  // And nothing in the table that is not exported, but the class users only receive.
  for (const name of Object.keys(API_ARGUMENTS)) {
    if (name === 'CompiledExpression') continue
    t.true(name in exported, `${name} is in API_ARGUMENTS but not exported`)
  }
})

/** A value of the argument's first accepted kind. */
function validValue(spec: ArgumentSpec): unknown {
  const a = spec.alternatives[0]!
  switch (a.kind) {
    case 'string':
      return 'x'
    case 'number':
      return 0
    case 'boolean':
      return true
    case 'object':
      return {}
    case 'array':
      return []
    case 'function':
      return () => {}
    case 'Float64Array':
      return new Float64Array(0)
    case 'null':
      return null
    case 'any':
      return 0
  }
}

const CANDIDATES: ReadonlyArray<[string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['a BigInt', 12n],
  ['an object', { a: 1 }],
  ['a string', '12'],
  ['a number', 12],
  ['a boolean', true],
  ['an array', [1]],
  ['a function', () => 1],
  ['a Float64Array', new Float64Array(1)],
  ['a symbol', Symbol('s')],
]

function fits(spec: ArgumentSpec, value: unknown): boolean {
  if (value === undefined && spec.optional) return true
  return spec.alternatives.some((a) => {
    switch (a.kind) {
      case 'any':
        return true
      case 'null':
        return value === null
      case 'object':
        return typeof value === 'object' && value !== null && !Array.isArray(value) && (a.keys === undefined || Object.keys(value).every((k) => a.keys!.includes(k)))
      case 'array':
        return Array.isArray(value) && (a.element === undefined || a.element === 'any' || value.every((v) => typeof v === a.element))
      case 'Float64Array':
        return value instanceof Float64Array
      default:
        return typeof value === a.kind
    }
  })
}

/** Wrong values for one argument: every candidate that does not fit, plus an unknown option key and a wrong array element. */
function wrongValues(spec: ArgumentSpec): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = CANDIDATES.filter(([, v]) => !fits(spec, v))
  for (const a of spec.alternatives) {
    if (a.keys !== undefined) out.push(['an unknown option', { notAnOption: 1 }])
    if (a.kind === 'array' && a.element !== undefined && a.element !== 'any') out.push(['a wrong element', [a.element === 'string' ? 1 : 'x']])
  }
  return out
}

function expectInvalid(t: ExecutionContext, label: string, name: string, call: () => unknown): void {
  let thrown: unknown
  try {
    call()
  } catch (e) {
    thrown = e
  }
  if (thrown === undefined) {
    t.fail(`${label}: no error`)
    return
  }
  const e = thrown as Error & { code?: unknown }
  t.false(e instanceof TypeError, `${label}: a TypeError: ${e.message}`)
  t.true(core.isGamesaError(e, 'INVALID_ARGUMENT'), `${label}: code ${String(e.code)}: ${e.message}`)
  // `name`, or an element of it (`effects[0]`).
  t.true(e.message.includes(`\`${name}\``) || e.message.includes(`\`${name}[`), `${label}: the message does not name \`${name}\`: ${e.message}`)
}

/** Calls `call(args)` with a wrong value at each position in turn, valid values before it. */
function tryAll(t: ExecutionContext, label: string, specs: readonly ArgumentSpec[], call: (args: unknown[]) => unknown): number {
  let n = 0
  for (let i = 0; i < specs.length; i++) {
    const before = specs.slice(0, i).map(validValue)
    for (const [what, wrong] of wrongValues(specs[i]!)) {
      expectInvalid(t, `${label} with ${specs[i]!.name} = ${what}`, specs[i]!.name, () => call([...before, wrong]))
      n++
    }
  }
  return n
}

/** An instance of each class, to call its methods on. */
function instances(): Record<string, object> {
  return {
    EffectChecker: core.createDefaultChecker(),
    Allocator: new core.Allocator(),
    SignalScheduler: new core.SignalScheduler(),
    CompiledExpression: core.compileExpression('x > 1.0', { x: 'double' }),
    SnapshotPacker: new core.SnapshotPacker(['a']),
    Features: core.compileFeatures(PRESETS_TEXT),
    RuleSet: core.compileRuleSet(RULE_TEXT),
    ContractValidator: core.createContractValidator(),
    TelemetrySampler: new core.TelemetrySampler({ rateHz: 1 }),
    Engine: new core.Engine(ENGINE_TEXT),
    LiveWorkloads: new core.LiveWorkloads(core.protectConfig(['gamesa-arguments-test'])),
    ...experienceInstances(),
  }
}

/** The experience store's classes, on a store in a temporary folder (removed after the tests). */
function experienceInstances(): Record<string, object> {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-arguments-experience-'))
  experienceDirs.push(dir)
  const writer = core.ExperienceWriter.open(join(dir, 'store.db'))
  const plan = new core.ExperiencePlan(ENGINE_TEXT)
  const recorder = new core.ExperienceRecorder(writer, plan, 'api', 'arguments test')
  writer.flush()
  return { ExperienceWriter: writer, ExperiencePlan: plan, ExperienceRecorder: recorder, ExperienceReader: core.ExperienceReader.open(join(dir, 'store.db')) }
}
const experienceDirs: string[] = []
test.after.always(() => {
  for (const dir of experienceDirs) rmSync(dir, { recursive: true, force: true })
})

test('every entry refuses wrong-typed arguments with INVALID_ARGUMENT naming the argument', (t) => {
  const objects = instances()
  let calls = 0
  try {
    for (const [name, spec] of Object.entries(API_ARGUMENTS)) {
      if (spec.kind === 'function') {
        const f = exported[name] as (...args: unknown[]) => unknown
        calls += tryAll(t, `${name}()`, spec.args, (args) => f(...args))
        continue
      }
      const klass = spec as ClassArguments
      if (klass.constructorArgs !== null && name !== 'CompiledExpression') {
        const C = exported[name] as new (...args: unknown[]) => unknown
        calls += tryAll(t, `new ${name}()`, klass.constructorArgs, (args) => new C(...args))
      }
      for (const [key, specs] of Object.entries(klass.methods)) {
        if (key.startsWith('static ')) {
          const method = key.slice('static '.length)
          const C = exported[name] as unknown as Record<string, (...args: unknown[]) => unknown>
          calls += tryAll(t, `${name}.${method}()`, specs, (args) => C[method]!(...args))
        } else {
          const object = objects[name] as Record<string, (...args: unknown[]) => unknown>
          t.truthy(object, `no instance of ${name} to test`)
          calls += tryAll(t, `${name}#${key}()`, specs, (args) => object[key]!(...args))
        }
      }
    }
  } finally {
    ;(objects.TelemetrySampler as core.TelemetrySampler).stop()
  }
  t.true(calls > 400, `${calls} calls`)
})

test('a wrong type inside an object argument is INVALID_ARGUMENT naming the argument too', (t) => {
  const engine = new core.Engine(ENGINE_TEXT)
  const cases: Array<[string, string, () => unknown]> = [
    ['a BigInt among tick values', 'snapshot', () => engine.tick({ values: { 'cpu.util': 1n as unknown as number } }, 5)],
    ['a BigInt among tickJson values', 'snapshot', () => engine.tickJson({ values: { 'cpu.util': 1n as unknown as number } }, 5)],
    ['a number as the audit path', 'options', () => new core.EffectChecker({ auditPath: 5 as unknown as string })],
    ['a number as an audit anchor', 'options', () => core.verifyAuditNdjson('', { start: 5 as never })],
    ['a string as grant targets', 'options', () => core.createDefaultChecker().grant('a', [core.Effect.CpuControl], { targets: 'x' as never })],
    ['a number as a lease id', 'request.id', () => new core.Allocator().allocate({ id: 5 as unknown as string, resourceType: core.ResourceType.CpuCores, amount: 1 })],
    ['a string as a signal strength', 'signal.strength', () =>
      new core.SignalScheduler().enqueue({ id: 'a', kind: core.SignalKind.CpuBottleneck, domain: core.SignalDomain.Performance, strength: '1' as unknown as number, source: 's', createdAtMs: 0, ttlMs: 1 })],
  ]
  for (const [label, name, call] of cases) {
    let thrown: (Error & { code?: unknown }) | undefined
    try {
      call()
    } catch (e) {
      thrown = e as Error
    }
    t.truthy(thrown, label)
    t.is(thrown?.code, 'INVALID_ARGUMENT', `${label}: ${thrown?.message}`)
    t.true(thrown?.message.includes(name), `${label}: ${thrown?.message}`)
  }
})

test('checked entries keep their identity: instanceof, statics, names', (t) => {
  const engine = core.Engine.fromFile('samples/engine.json')
  t.true(engine instanceof core.Engine)
  t.true(core.createDefaultChecker() instanceof core.EffectChecker)
  t.true(core.createAllocator({ pools: [{ resource: 'cpu_cores', strategy: 'first_fit', capacity: 4 }] }) instanceof core.Allocator)
  t.is(core.Engine.name, 'Engine')
  t.is(core.parseAllocatorConfig.name, 'parseAllocatorConfig')
  t.is(core.telemetrySignal.length, core.telemetrySignal.length)
  // Optional arguments may still be left out.
  t.is(new core.SignalScheduler().dequeue(), null)
  t.is(new core.Allocator().tick().length, 0)
})

test('numbers Node-API would wrap or read as 0 are refused where they are options', (t) => {
  for (const keepInMemory of [-1, Number.NaN, 1.5, 2 ** 60]) {
    const e = t.throws(() => core.createDefaultChecker({ keepInMemory }))
    t.is((e as core.GamesaError).code, 'INVALID_ARGUMENT', String(keepInMemory))
    t.true(e!.message.includes('keepInMemory'), e!.message)
  }
  t.is(core.createDefaultChecker({ keepInMemory: 16 }).auditLength > 0, true)
  const out = `${process.env.TMPDIR ?? '/tmp'}/gamesa-arguments-${process.pid}.ndjson`
  for (const chunk of [Number.NaN, -1, 0, 1.5, 2 ** 32]) {
    const e = t.throws(() => core.replayTrace(ENGINE_TEXT, 'no-such-trace.ndjson', out, { chunk }))
    t.is((e as core.GamesaError).code, 'INVALID_ARGUMENT', String(chunk))
    t.true(e!.message.includes('options.chunk'), e!.message)
  }
  t.false(existsSync(out), 'nothing was opened')
})

test('a TypeError the arguments did not cause stays a TypeError; one a BigInt caused is INVALID_ARGUMENT', (t) => {
  const specs = fn('values: object').args
  const broken = guard((_values: object) => (undefined as unknown as { x: number }).x, 'broken', specs)
  const internal = t.throws(() => broken({ a: 1 }))
  t.true(internal instanceof TypeError && !(internal instanceof core.GamesaError), String(internal))
  const serializing = guard((values: object) => JSON.stringify(values), 'serializing', specs)
  const bigint = t.throws(() => serializing({ a: 1n }))
  t.true(bigint instanceof core.GamesaError)
  t.is((bigint as core.GamesaError).code, 'INVALID_ARGUMENT')
  t.regex(bigint.message, /serializing: argument `values`/)
})
