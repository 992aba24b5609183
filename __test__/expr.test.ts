// The expression language as users call it from TypeScript.
import test from 'ava'

import { compileExpression, ExpressionCompileError, GamesaError } from '@gamesa/core'

const decls = { 'cpu.util': 'double', 'thermal.headroom_c': 'double', cores: 'int', free: 'uint', throttled: 'bool' } as const

test('compiles once and evaluates a rule-like expression', (t) => {
  const e = compileExpression('cpu.util > 0.9 && thermal.headroom_c < 10.0', decls)
  t.is(e.resultType, 'bool')
  t.is(e.source, 'cpu.util > 0.9 && thermal.headroom_c < 10.0')
  t.deepEqual(e.variables, ['cpu.util', 'thermal.headroom_c'])
  t.true(e.evaluate({ 'cpu.util': 0.95, 'thermal.headroom_c': 8, cores: 4 }))
  t.false(e.evaluate({ 'cpu.util': 0.5, 'thermal.headroom_c': 8 }))
})

test('literal-only expressions need no declarations', (t) => {
  t.is(compileExpression('1 + 2 * 3').evaluate({}), 7)
  t.is(compileExpression('7.0 / 2.0').evaluate({}), 3.5)
  t.is(compileExpression('true ? 1u : 2u').resultType, 'uint')
})

test('int and uint beyond 2^53 come back as BigInt, and BigInts go in', (t) => {
  t.is(compileExpression('9007199254740992').evaluate({}), 9007199254740992)
  t.is(compileExpression('9007199254740993').evaluate({}), 9007199254740993n)
  t.is(compileExpression('18446744073709551615u').evaluate({}), 18446744073709551615n)
  t.is(compileExpression('-9223372036854775808').evaluate({}), -9223372036854775808n)
  const e = compileExpression('cores + 1', decls)
  t.is(e.evaluate({ cores: 9007199254740993n }), 9007199254740994n)
  t.is(e.evaluate({ cores: 41 }), 42)
  t.is(compileExpression('free + 1u', decls).evaluate({ free: 2n ** 63n }), 2n ** 63n + 1n)
})

test('compile errors carry code EXPR_COMPILE, line, column and a suggestion', (t) => {
  const err = t.throws(() => compileExpression('cores > 1 &&\n  cpu.utl > 0.5', decls))
  t.true(err instanceof GamesaError)
  t.true(err instanceof ExpressionCompileError)
  const e = err as ExpressionCompileError
  t.is(e.code, 'EXPR_COMPILE')
  t.is(e.line, 2)
  t.is(e.column, 3)
  t.is(e.suggestion, 'cpu.util')
  t.regex(e.message, /^line 2, column 3: undeclared reference to `cpu.utl` \(did you mean `cpu.util`\?\)$/)

  const overload = t.throws(() => compileExpression('cores + free', decls)) as ExpressionCompileError
  t.is(overload.code, 'EXPR_COMPILE')
  t.regex(overload.message, /no matching overload for '_\+_' applied to \(int, uint\)/)
  for (const bad of ['1 +', "'str'", '[1, 2]', 'if', 'x.y(', '(((1)']) {
    t.is((t.throws(() => compileExpression(bad, decls)) as GamesaError).code, 'EXPR_COMPILE', bad)
  }
  t.is((t.throws(() => compileExpression('('.repeat(10000) + '1' + ')'.repeat(10000))) as GamesaError).code, 'EXPR_COMPILE')
})

test('evaluation errors carry code EXPR_EVAL', (t) => {
  const cases: Array<[string, Record<string, number | bigint | boolean>, RegExp]> = [
    ['cores / 0', { cores: 1 }, /division by zero/],
    ['cores % 0', { cores: 1 }, /modulus by zero/],
    ['9223372036854775807 + cores', { cores: 1 }, /overflow/],
    ['free - 1u', { free: 0 }, /overflow/],
    ['int(cpu.util)', { 'cpu.util': Number.NaN }, /int/],
    ['free * 2u', { free: 2n ** 63n }, /overflow/],
  ]
  for (const [source, bindings, message] of cases) {
    const err = t.throws(() => compileExpression(source, decls).evaluate(bindings), undefined, source) as GamesaError
    t.is(err.code, 'EXPR_EVAL', source)
    t.true(err instanceof GamesaError)
    t.regex(err.message, message, source)
  }
  // A missing variable is an evaluation error naming it.
  const missing = t.throws(() => compileExpression('cores > 1', decls).evaluate({})) as GamesaError
  t.is(missing.code, 'EXPR_EVAL')
  t.regex(missing.message, /cores/)
  // Errors absorbed by && and || are not errors.
  t.false(compileExpression('cores / 0 > 1 && false', decls).evaluate({ cores: 1 }))
  t.true(compileExpression('true || cores / 0 > 1', decls).evaluate({ cores: 1 }))
})

test('bindings of the wrong JS type are INVALID_ARGUMENT', (t) => {
  const e = compileExpression('cores > 1 || throttled || free > 0u', decls)
  const code = (b: Record<string, unknown>) => (t.throws(() => e.evaluate(b as never)) as GamesaError).code
  t.is(code({ cores: 1.5, throttled: false, free: 1 }), 'INVALID_ARGUMENT')
  t.is(code({ cores: 1, throttled: 1, free: 1 }), 'INVALID_ARGUMENT')
  t.is(code({ cores: true, throttled: false, free: 1 }), 'INVALID_ARGUMENT')
  t.is(code({ cores: 1, throttled: false, free: -1 }), 'INVALID_ARGUMENT')
  t.is(code({ cores: 1, throttled: false, free: 1e20 }), 'INVALID_ARGUMENT')
  t.is(code({ cores: 2n ** 70n, throttled: false, free: 1 }), 'INVALID_ARGUMENT')
  t.is(code({ cores: '1', throttled: false, free: 1 }), 'INVALID_ARGUMENT')
  t.false(e.evaluate({ cores: 1, throttled: false, free: 0 }))
  // Any number is fine for a double variable, integral or not.
  t.is(compileExpression('cpu.util * 2.0', decls).evaluate({ 'cpu.util': 3 }), 6)
  t.true(Number.isNaN(compileExpression('cpu.util * 2.0', decls).evaluate({ 'cpu.util': Number.NaN }) as number))
  // Bad declarations.
  t.is((t.throws(() => compileExpression('x', { x: 'string' as never })) as GamesaError).code, 'INVALID_ARGUMENT')
})

test('CEL semantics reach JS unchanged', (t) => {
  t.is(compileExpression('dyn(1) == 1u').evaluate({}), true)
  t.is(compileExpression('0.0 / 0.0 == 0.0 / 0.0').evaluate({}), false)
  t.is(compileExpression('-(0.0)').evaluate({}), -0)
  t.is(compileExpression('1.0 / 0.0').evaluate({}), Number.POSITIVE_INFINITY)
  t.is(compileExpression('math.least(3, 1u, 2.5)').evaluate({}), 1)
  t.is(compileExpression('clamp(cpu.util, 0.0, 1.0)', decls).evaluate({ 'cpu.util': 1.7 }), 1)
})
