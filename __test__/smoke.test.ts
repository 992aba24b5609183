// The package as a user loads it: the native addon behind the one entry `@gamesa/core` is the
// build of this version, and a call goes through to Rust and back with a real result.
import { readFileSync } from 'node:fs'
import test from 'ava'
import { GamesaError, compileExpression, nativeVersion } from '@gamesa/core'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

test('the native addon is the build of this package version', (t) => {
  t.is(nativeVersion(), pkg.version)
})

test('a call goes through the entry to the native engine and back', (t) => {
  const e = compileExpression('cpu.util > 0.9 && temp < 80.0', { 'cpu.util': 'double', temp: 'double' })
  t.true(e.evaluate({ 'cpu.util': 0.95, temp: 70 }))
  t.false(e.evaluate({ 'cpu.util': 0.5, temp: 70 }))
  // An error from the native side arrives as a typed GamesaError, not a crash.
  const error = t.throws(() => compileExpression('1 +'))
  t.true(error instanceof GamesaError)
  t.is((error as GamesaError).code, 'EXPR_COMPILE')
})
