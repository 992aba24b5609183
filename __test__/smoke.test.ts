import test from 'ava'
import { nativeVersion, noop } from '@gamesa/core'

test('the native addon loads through the package entry', (t) => {
  t.is(nativeVersion(), '0.1.0')
  t.is(noop(), undefined)
})
