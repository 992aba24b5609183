// One coercion of given values to declared types, the core's: an expression's bindings and a
// contract's context accept and refuse the same values (a number is never a bool, a fractional
// or out-of-range integer is refused, a BigInt is an integer), through the native classes.
import test from 'ava'
import { ContractConditionKind, NativeContractSet, NativeExpression } from '../index.js'

type Given = number | boolean | bigint

const VALUES: Given[] = [0, 1, -1, 2.5, 2 ** 53, 2 ** 64, -(2 ** 63), Number.NaN, Number.POSITIVE_INFINITY, true, false, 5n, -5n, 2n ** 63n, 2n ** 64n - 1n]
const TYPES = ['int', 'uint', 'double', 'bool'] as const

function byExpression(type: string, value: Given): boolean {
  const e = new NativeExpression('x == x', ['x'], [type])
  try {
    e.evaluateValues([value])
    return true
  } catch (err) {
    if ((err as { code?: string }).code !== 'INVALID_ARGUMENT') throw err
    return false
  }
}

function byContract(type: string, value: Given): boolean {
  const set = new NativeContractSet(false)
  set.register(JSON.stringify({ name: 'c', variables: { x: type }, invariants: ['x == x || true'], onViolation: 'signal' }))
  const result = set.check('c', ContractConditionKind.Invariant, { x: value })
  return !result.violations.some((v) => v.reason === 'invalid_value')
}

test('expression bindings and contract contexts coerce alike', (t) => {
  for (const type of TYPES) {
    for (const value of VALUES) {
      t.is(byExpression(type, value), byContract(type, value), `${String(value)} as ${type}`)
    }
  }
})

test('a number is never a bool; packed booleans are exactly 0 or 1', (t) => {
  t.false(byExpression('bool', 1))
  t.true(byExpression('bool', true))
  const e = new NativeExpression('x', ['x'], ['bool'])
  t.is(e.evaluateNumbers(Float64Array.of(1)), true)
  t.is(e.evaluateNumbers(Float64Array.of(0)), false)
  const err = t.throws(() => e.evaluateNumbers(Float64Array.of(0.5))) as Error & { code?: string }
  t.is(err.code, 'INVALID_ARGUMENT')
  t.regex(err.message, /^bindings\.x: 0\.5 is not a valid bool/)
})
