// TypeScript layer of the expression language (docs/architecture.md §5, docs/expressions.md). Parsing,
// checking and evaluation are Rust's (crates/gamesa-core/src/expr), and so is the coercion of
// each binding to its declared type (the one contracts use too); this file passes bindings
// positionally: one Float64Array when every value is a number, or a boolean for a bool variable
// (reading an object through Node-API costs ~0.2 µs per property), an array of the values as
// they are otherwise.
import { NativeExpression } from '../index.js'
import { GamesaError } from './errors.js'

/** A variable's declared type. */
export type ExpressionType = 'int' | 'uint' | 'double' | 'bool'
/** A value: doubles and small integers are numbers, 64-bit integers beyond 2^53 are BigInts. */
export type ExpressionValue = number | bigint | boolean
/** Variable name → declared type. Names may contain dots (`gpu0.temp_c` is one variable). */
export type ExpressionDeclarations = Readonly<Record<string, ExpressionType>>
/** Variable name → value. Names the expression does not read are ignored. */
export type ExpressionBindings = Readonly<Record<string, ExpressionValue>>

const TYPES: ReadonlySet<string> = new Set(['int', 'uint', 'double', 'bool'])

/** A compile error (`code` `EXPR_COMPILE`) with the position it names. */
export class ExpressionCompileError extends GamesaError {
  /** 1-based line of the problem in the source. */
  override readonly line: number
  /** 1-based column (in characters) of the problem. */
  override readonly column: number
  /** The closest known name, for a misspelt one. */
  readonly suggestion?: string

  constructor(message: string, line: number, column: number, suggestion?: string, cause?: unknown) {
    super('EXPR_COMPILE', message, { cause })
    this.name = 'ExpressionCompileError'
    this.line = line
    this.column = column
    if (suggestion !== undefined) this.suggestion = suggestion
  }
}

/** A compiled expression: compile once, evaluate many times. */
export interface CompiledExpression {
  /** The source compiled. */
  readonly source: string
  /** The type of every result. */
  readonly resultType: ExpressionType
  /** The variables the expression reads (each must be bound when evaluating). */
  readonly variables: readonly string[]
  /**
   * Evaluates with `bindings`. Errors: `EXPR_EVAL` (overflow, division by zero, a missing
   * variable, ...), `INVALID_ARGUMENT` (a value of the wrong JS type, a non-integral number or
   * an out-of-range value for an int/uint variable).
   */
  evaluate(bindings: ExpressionBindings): ExpressionValue
}

const POSITION = /^line (\d+), column (\d+): /
const SUGGESTION = / \(did you mean `([^`]*)`\?\)$/

function compileError(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code
  if (!(e instanceof Error) || code !== 'EXPR_COMPILE') return e
  const at = POSITION.exec(e.message)
  if (at === null) return e
  return new ExpressionCompileError(e.message, Number(at[1]), Number(at[2]), SUGGESTION.exec(e.message)?.[1], e)
}

/** @internal The class behind {@link CompiledExpression} (./api.ts checks its arguments). */
export class ExpressionImpl implements CompiledExpression {
  readonly source: string
  readonly resultType: ExpressionType
  readonly variables: readonly string[]
  private readonly native: NativeExpression
  private readonly types: readonly ExpressionType[]
  private readonly numbers: Float64Array

  constructor(native: NativeExpression) {
    this.native = native
    this.source = native.source
    this.resultType = native.resultType as ExpressionType
    this.variables = Object.freeze(native.variables)
    this.types = native.variableTypes as ExpressionType[]
    this.numbers = new Float64Array(this.variables.length)
  }

  evaluate(bindings: ExpressionBindings): ExpressionValue {
    if (typeof bindings !== 'object' || bindings === null) {
      throw new GamesaError('INVALID_ARGUMENT', 'bindings must be an object of variable values')
    }
    const names = this.variables
    // Numbers (and booleans for bool variables, as 0/1) go packed in one typed array; anything
    // else takes the slower path with the values as they are. Either way the core decides
    // whether a value fits its declared type (`INVALID_ARGUMENT` naming the binding).
    let packed = true
    for (let k = 0; k < names.length; k++) {
      const name = names[k] as string
      const value: unknown = Object.hasOwn(bindings, name) ? bindings[name] : undefined
      const type = this.types[k] as ExpressionType
      if (value === undefined || value === null) {
        throw new GamesaError('EXPR_EVAL', `no value for variable \`${name}\` (${type})`)
      }
      if (typeof value === 'number' && type !== 'bool') {
        this.numbers[k] = value
      } else if (typeof value === 'boolean' && type === 'bool') {
        this.numbers[k] = value ? 1 : 0
      } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
        packed = false
      } else {
        throw new GamesaError('INVALID_ARGUMENT', `bindings.${name}: expected a number, BigInt or boolean, got ${typeof value}`)
      }
    }
    if (packed) return this.native.evaluateNumbers(this.numbers)
    return this.native.evaluateValues(names.map((name) => bindings[name] as ExpressionValue))
  }
}

/**
 * Compiles `source`, an expression of the CEL subset (docs/expressions.md), against the
 * declared variables. Throws `ExpressionCompileError` (code `EXPR_COMPILE`, with `line` and
 * `column`) for a syntax, name or type error.
 *
 * ```ts
 * const e = compileExpression('cpu.util > 0.9 && temp < 80.0', { 'cpu.util': 'double', temp: 'double' })
 * e.evaluate({ 'cpu.util': 0.95, temp: 70 }) // true
 * ```
 */
export function compileExpression(source: string, declarations: ExpressionDeclarations = {}): CompiledExpression {
  if (typeof source !== 'string') throw new GamesaError('INVALID_ARGUMENT', 'source must be a string')
  if (typeof declarations !== 'object' || declarations === null) {
    throw new GamesaError('INVALID_ARGUMENT', 'declarations must be an object of variable types')
  }
  const names = Object.keys(declarations)
  const types = names.map((name) => {
    const type: unknown = declarations[name]
    if (typeof type !== 'string' || !TYPES.has(type)) {
      throw new GamesaError('INVALID_ARGUMENT', `declarations.${name}: '${String(type)}' is not one of int, uint, double, bool`)
    }
    return type
  })
  let native: NativeExpression
  try {
    native = new NativeExpression(source, names, types)
  } catch (e) {
    throw compileError(e)
  }
  return new ExpressionImpl(native)
}
