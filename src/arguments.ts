// The JavaScript types of every public entry's arguments, checked where the package is entered,
// so that a wrong type is a `GamesaError` with code `INVALID_ARGUMENT` naming the argument,
// never a raw Node-API conversion code (`StringExpected`, `NumberExpected`, `InvalidArg`, …)
// or a bare `TypeError` from deeper down (`tick(null)`, a BigInt reaching `JSON.stringify`).
//
// One table, `API_ARGUMENTS`, says what each exported function, constructor and method takes;
// `guardFunction`, `guardClass` and `guardMethods` apply it. Ranges and meanings stay where
// they are checked today (mostly the Rust core); this layer checks only JS types, and turns a
// conversion error that still escapes (a wrong type inside an object argument) into
// `INVALID_ARGUMENT` too. A test calls every entry of the table with wrong-typed arguments and
// checks that every export of the package is in it (__test__/arguments.test.ts).
import { GamesaError } from './errors.js'

/**
 * What an argument may be. `object` is a plain object (not null, not an array); `object{a,b}`
 * also refuses a key other than those listed; `T[]` is an array of `T`; `T|U` either.
 * A trailing `?` on the name allows `undefined` (an omitted argument).
 */
type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'function' | 'Float64Array' | 'null' | 'any'

interface Alternative {
  readonly kind: Kind
  /** For `T[]`: the element's kind. */
  readonly element?: Kind
  /** For `object{…}`: the keys allowed. */
  readonly keys?: readonly string[]
}

/** One argument: its name, whether it may be omitted, and what it may be. */
export interface ArgumentSpec {
  readonly name: string
  readonly optional: boolean
  readonly alternatives: readonly Alternative[]
  /** The spec as written (`nowMs?: number`), for messages and tests. */
  readonly text: string
}

const KINDS: ReadonlySet<string> = new Set(['string', 'number', 'boolean', 'object', 'array', 'function', 'Float64Array', 'null', 'any'])

function parseAlternative(text: string, spec: string): Alternative {
  const object = /^object\{([^}]*)\}$/.exec(text)
  if (object !== null) return { kind: 'object', keys: object[1]!.split(',').map((k) => k.trim()).filter((k) => k !== '') }
  if (text.endsWith('[]')) {
    const element = text.slice(0, -2)
    if (!KINDS.has(element)) throw new Error(`argument spec '${spec}': unknown kind '${element}'`)
    return { kind: 'array', element: element as Kind }
  }
  if (!KINDS.has(text)) throw new Error(`argument spec '${spec}': unknown kind '${text}'`)
  return { kind: text as Kind }
}

/** Parses `name?: kind|kind` (see {@link Kind}). */
export function argument(text: string): ArgumentSpec {
  const colon = text.indexOf(':')
  let name = text.slice(0, colon).trim()
  const optional = name.endsWith('?')
  if (optional) name = name.slice(0, -1)
  // `|` inside `object{…}` never occurs (keys are separated by commas).
  const alternatives = text
    .slice(colon + 1)
    .split('|')
    .map((a) => parseAlternative(a.trim(), text))
  return { name, optional, alternatives, text }
}

function isKind(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'function':
      return typeof value === 'function'
    case 'Float64Array':
      return value instanceof Float64Array
    case 'null':
      return value === null
    case 'any':
      return true
  }
}

function describeKind(a: Alternative): string {
  switch (a.kind) {
    case 'array':
      return a.element === undefined || a.element === 'any' ? 'an array' : `an array of ${a.element}s`
    case 'object':
      return 'an object'
    case 'null':
      return 'null'
    case 'Float64Array':
      return 'a Float64Array'
    case 'any':
      return 'any value'
    default:
      return `a ${a.kind}`
  }
}

/** How a value is named in a message: its type, and the value itself for short primitives. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'bigint':
      return `a BigInt (${String(value)}n)`
    case 'string':
      return value.length <= 40 ? `a string (${JSON.stringify(value)})` : 'a string'
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`
    case 'object':
      return value instanceof Float64Array ? 'a Float64Array' : ArrayBuffer.isView(value) ? `a ${value.constructor.name}` : 'an object'
    case 'undefined':
      return 'undefined'
    default:
      return `a ${typeof value}`
  }
}

/** Why `value` does not fit `spec` (naming `where` and the argument), or null when it fits. */
function mismatch(where: string, spec: ArgumentSpec, value: unknown): GamesaError | null {
  if (value === undefined && spec.optional) return null
  for (const a of spec.alternatives) {
    if (!isKind(a.kind, value)) continue
    if (a.kind === 'array' && a.element !== undefined && a.element !== 'any') {
      const items = value as unknown[]
      for (let i = 0; i < items.length; i++) {
        if (!isKind(a.element, items[i])) {
          return invalid(where, `${spec.name}[${i}]`, `${describeKind({ kind: a.element })}`, items[i])
        }
      }
    }
    if (a.keys !== undefined) {
      for (const key of Object.keys(value as object)) {
        if (!a.keys.includes(key)) {
          return new GamesaError(
            'INVALID_ARGUMENT',
            `${where}: argument \`${spec.name}\` has an unknown option \`${key}\` (known: ${a.keys.join(', ')})`,
          )
        }
      }
    }
    return null
  }
  const expected = spec.alternatives.map(describeKind)
  if (spec.optional) expected.push('undefined')
  const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)!}` : expected[0]!
  return invalid(where, spec.name, list, value)
}

function invalid(where: string, name: string, expected: string, value: unknown, cause?: unknown): GamesaError {
  return new GamesaError('INVALID_ARGUMENT', `${where}: argument \`${name}\` must be ${expected}, got ${describeValue(value)}`, cause === undefined ? undefined : { cause })
}

function predicate(kind: Kind): (value: unknown) => boolean {
  switch (kind) {
    case 'string':
      return (v) => typeof v === 'string'
    case 'number':
      return (v) => typeof v === 'number'
    case 'boolean':
      return (v) => typeof v === 'boolean'
    case 'object':
      return (v) => typeof v === 'object' && v !== null && !Array.isArray(v)
    case 'array':
      return (v) => Array.isArray(v)
    case 'function':
      return (v) => typeof v === 'function'
    case 'Float64Array':
      return (v) => v instanceof Float64Array
    case 'null':
      return (v) => v === null
    case 'any':
      return () => true
  }
}

/**
 * Whether a value fits `spec`, as a small function made once per argument: what the hot paths
 * pay (a `typeof` or two; measured ~5 ns a call against ~40 ns for the general `mismatch`).
 * Option keys and array elements take the general path.
 */
function accepts(spec: ArgumentSpec): (value: unknown) => boolean {
  const general = spec.alternatives.some((a) => a.keys !== undefined || (a.kind === 'array' && a.element !== undefined && a.element !== 'any'))
  if (general) return (v) => mismatch('', spec, v) === null
  const tests = spec.alternatives.map((a) => predicate(a.kind))
  const [t0, t1] = tests
  const one =
    tests.length === 1 ? t0! : tests.length === 2 ? (v: unknown) => t0!(v) || t1!(v) : (v: unknown) => tests.some((test) => test(v))
  return spec.optional ? (v) => v === undefined || one(v) : one
}

/** Throws `INVALID_ARGUMENT` for the first argument that does not fit its spec. */
export function checkArguments(where: string, specs: readonly ArgumentSpec[], args: ArrayLike<unknown>): void {
  for (let i = 0; i < specs.length; i++) {
    const problem = mismatch(where, specs[i]!, args[i])
    if (problem !== null) throw problem
  }
}

/** Node-API's status codes: an error carrying one was made by a conversion, not by GAMESA. */
const NAPI_STATUSES: ReadonlySet<string> = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'GenericFailure',
  'BigintExpected',
  'DateExpected',
  'ArrayBufferExpected',
  'DetachableArraybufferExpected',
])

/**
 * The error to throw for `e`, raised inside an entry whose arguments passed their type check:
 * GAMESA's own errors unchanged; a Node-API conversion error, or a `TypeError` that a value the
 * caller gave caused (a BigInt among a snapshot's values), as `INVALID_ARGUMENT` naming the
 * argument it came from, the original as its `cause`. Any other error, a bare `TypeError`
 * included, is rethrown as it is: it is a fault here, not in the arguments.
 */
function translate(where: string, specs: readonly ArgumentSpec[], args: ArrayLike<unknown>, e: unknown): unknown {
  if (e instanceof GamesaError || !(e instanceof Error)) return e
  const code = (e as Error & { code?: unknown }).code
  const fromNapi = typeof code === 'string' && NAPI_STATUSES.has(code)
  if (!fromNapi && !(e instanceof TypeError)) return e
  // A TypeError is the caller's only where a value they gave can have caused it (a BigInt in an
  // object argument, which JSON cannot carry). Any other (`x is undefined` deep inside) is a
  // fault of this package, and stays what it is rather than blaming an argument.
  if (!fromNapi && !/BigInt/i.test(e.message) && !Array.from(args).some((a) => holdsBigInt(a, 0))) return e
  // The argument it came from: the one holding a BigInt; else, for a field of a native options
  // object (`… on GrantOptions.targets`), the first plain object given; else the first object
  // or array given.
  let name: string | undefined
  for (let i = 0; i < specs.length && name === undefined; i++) {
    if (holdsBigInt(args[i], 0)) name = specs[i]!.name
  }
  if (/ on \w+\.\w+$/.test(e.message)) {
    for (let i = 0; i < specs.length && name === undefined; i++) {
      if (typeof args[i] === 'object' && args[i] !== null && !Array.isArray(args[i])) name = specs[i]!.name
    }
  }
  for (let i = 0; i < specs.length && name === undefined; i++) {
    if (typeof args[i] === 'object' && args[i] !== null) name = specs[i]!.name
  }
  name ??= specs[0]?.name ?? 'arguments'
  return new GamesaError('INVALID_ARGUMENT', `${where}: argument \`${name}\`: ${e.message}`, { cause: e })
}

function holdsBigInt(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return true
  if (typeof value !== 'object' || value === null || depth > 8 || ArrayBuffer.isView(value)) return false
  for (const v of Object.values(value)) if (holdsBigInt(v, depth + 1)) return true
  return false
}

type AnyFunction = (this: unknown, ...args: never[]) => unknown

/**
 * `fn` with its arguments checked against `specs` first. Fixed arities for up to four
 * arguments, so that the hot paths (`tickValues`, `allocate`, `enqueue`) pay a few `typeof`
 * checks and no rest-argument array.
 */
export function guard<F extends AnyFunction>(fn: F, where: string, specs: readonly ArgumentSpec[]): F {
  const call = fn as unknown as (this: unknown, ...args: unknown[]) => unknown
  const fail = (args: ArrayLike<unknown>, e: unknown): never => {
    throw translate(where, specs, args, e)
  }
  let wrapped: (this: unknown, ...args: unknown[]) => unknown
  switch (specs.length) {
    case 0:
      return fn
    case 1: {
      const [s0] = specs as [ArgumentSpec]
      const ok0 = accepts(s0)
      wrapped = function (this: unknown, a: unknown) {
        if (!ok0(a)) throw mismatch(where, s0, a)!
        try {
          return call.call(this, a)
        } catch (e) {
          return fail([a], e)
        }
      }
      break
    }
    case 2: {
      const [s0, s1] = specs as [ArgumentSpec, ArgumentSpec]
      const [ok0, ok1] = [accepts(s0), accepts(s1)]
      wrapped = function (this: unknown, a: unknown, b: unknown) {
        if (!ok0(a)) throw mismatch(where, s0, a)!
        if (!ok1(b)) throw mismatch(where, s1, b)!
        try {
          return call.call(this, a, b)
        } catch (e) {
          return fail([a, b], e)
        }
      }
      break
    }
    case 3:
    case 4: {
      // Up to four (EffectChecker#check and its kin are per-action calls): unused ones are
      // undefined, which an omitted optional argument is anyway.
      const [s0, s1, s2, s3] = specs as [ArgumentSpec, ArgumentSpec, ArgumentSpec, ArgumentSpec | undefined]
      const [ok0, ok1, ok2] = [accepts(s0), accepts(s1), accepts(s2)]
      const ok3 = s3 === undefined ? () => true : accepts(s3)
      wrapped = function (this: unknown, a: unknown, b: unknown, c: unknown, d: unknown) {
        if (!ok0(a) || !ok1(b) || !ok2(c) || !ok3(d)) checkArguments(where, specs, [a, b, c, d])
        try {
          return specs.length === 3 ? call.call(this, a, b, c) : call.call(this, a, b, c, d)
        } catch (e) {
          return fail([a, b, c, d], e)
        }
      }
      break
    }
    default:
      wrapped = function (this: unknown, ...args: unknown[]) {
        checkArguments(where, specs, args)
        try {
          return call.apply(this, args)
        } catch (e) {
          return fail(args, e)
        }
      }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  Object.defineProperty(wrapped, 'length', { value: fn.length })
  return wrapped as unknown as F
}

/** What one exported function or class takes. */
export interface FunctionArguments {
  readonly kind: 'function'
  readonly args: readonly ArgumentSpec[]
}
export interface ClassArguments {
  readonly kind: 'class'
  /** The constructor's arguments; null where users never construct it (they get one from a function). */
  readonly constructorArgs: readonly ArgumentSpec[] | null
  /** Methods, static methods (`static name`) and setters, by name. */
  readonly methods: Readonly<Record<string, readonly ArgumentSpec[]>>
}

/** `fn('a: string', 'b?: number')`: a function's argument list. */
export function fn(...specs: string[]): FunctionArguments {
  return { kind: 'function', args: specs.map(argument) }
}

/** A class: its constructor's arguments (null: not constructed by users) and its methods'. */
export function cls(constructorArgs: string[] | null, methods: Record<string, string[]>): ClassArguments {
  return {
    kind: 'class',
    constructorArgs: constructorArgs === null ? null : constructorArgs.map(argument),
    methods: Object.fromEntries(Object.entries(methods).map(([name, specs]) => [name, specs.map(argument)])),
  }
}

/** Replaces each method of `target` (a prototype, or a class for `static` ones) listed in `methods` by its guarded form, in place. */
export function guardMethods(className: string, target: object, methods: Readonly<Record<string, readonly ArgumentSpec[]>>, statics: boolean): void {
  for (const [key, specs] of Object.entries(methods)) {
    const isStatic = key.startsWith('static ')
    if (isStatic !== statics) continue
    const name = isStatic ? key.slice('static '.length) : key
    const descriptor = Object.getOwnPropertyDescriptor(target, name)
    if (descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new Error(`guardMethods: ${className}.${name} is not a method`)
    }
    const where = `${className}${isStatic ? '.' : '#'}${name}`
    Object.defineProperty(target, name, { ...descriptor, value: guard(descriptor.value as AnyFunction, where, specs) })
  }
}

/**
 * Guards a class in place (its methods and static methods), and returns it behind a proxy that
 * checks the constructor's arguments: `instanceof`, statics and subclassing work as on the
 * class itself.
 */
export function guardClass<C extends abstract new (...args: never[]) => unknown>(cls: C, spec: ClassArguments, name: string = cls.name): C {
  guardMethods(name, cls.prototype as object, spec.methods, false)
  guardMethods(name, cls, spec.methods, true)
  const ctor = spec.constructorArgs
  if (ctor === null || ctor.length === 0) return cls
  const where = `new ${name}`
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      checkArguments(where, ctor, args)
      try {
        return Reflect.construct(target, args, newTarget) as object
      } catch (e) {
        throw translate(where, ctor, args, e)
      }
    },
  })
}
