// The feature engine as users call it: compileFeatures over the default catalog or given
// variables, compute(snapshot) → { 'feat.<name>': value }, problems with paths and positions.
import test from 'ava'
import { readFileSync } from 'node:fs'
import {
  DocumentProblemsError,
  GamesaError,
  ScalePresetsSchema,
  compileFeatures,
  telemetryVariables,
} from '@gamesa/core'

test('the sample compiles over the telemetry catalog and computes features', (t) => {
  const text = readFileSync('samples/scale_presets.json', 'utf8')
  t.true(ScalePresetsSchema.safeParse(JSON.parse(text)).success)
  const features = compileFeatures(text)
  t.deepEqual(features.names.slice(0, 3), ['feat.cpu_heat', 'feat.gpu0_heat', 'feat.thermal_stress'])
  const out = features.compute({ 'thermal.cpu_c': 70, 'gpu0.temp_c': 85, 'gpu0.power_w': 300, 'gpu0.power_limit_w': 400 })
  t.true(Math.abs((out['feat.cpu_heat'] as number) - 0.5) < 1e-12)
  t.true(Math.abs((out['feat.thermal_stress'] as number) - 0.75) < 1e-12)
  t.is(out['feat.gpu0_power_ratio'], 0.75)
  // No cpu.util in the snapshot: that feature is left out, and computeDetailed says why.
  t.false('feat.cpu_saturation' in out)
  const detailed = features.computeDetailed({ 'thermal.cpu_c': 70 })
  t.true(detailed.issues.some((s) => s.includes('feat.cpu_saturation') && s.includes('cpu.util')))
})

test('every transform with exact values', (t) => {
  const features = compileFeatures(
    {
      features: [
        { name: 'lin', source: 'x', transform: 'linear', alpha: 2, beta: 1 },
        { name: 's', source: 'x', transform: 'sin', alpha: 2, beta: 0.5, theta: 3 },
        { name: 'c', source: 'x', transform: 'cos', theta: 3 },
        { name: 'th', source: 'x', transform: 'tanh', theta: 2 },
        { name: 'lg', source: 'x', transform: 'log1p', alpha: 0.5, theta: 4 },
        { name: 'cl', source: 'x * 10.0', transform: 'clamp01', alpha: 0.025, beta: -1 },
      ],
    },
    { variables: { x: 'double' } },
  )
  const x = 6
  const out = features.compute({ x })
  t.deepEqual(Object.keys(out), ['feat.lin', 'feat.s', 'feat.c', 'feat.th', 'feat.lg', 'feat.cl'])
  t.is(out['feat.lin'], 13)
  t.is(out['feat.cl'], 0.5)
  // V8's Math.sin/cos/tanh/log1p and Rust's libm may differ in the last bit, so these compare
  // within 2 ulp here (the Rust tests compare them exactly).
  const near = (got: number | undefined, want: number) =>
    t.true(Math.abs((got as number) - want) <= 2 * Number.EPSILON * Math.max(1, Math.abs(want)), `${got} vs ${want}`)
  near(out['feat.s'], 2 * Math.sin(18) + 0.5)
  near(out['feat.c'], Math.cos(18))
  near(out['feat.th'], Math.tanh(12))
  near(out['feat.lg'], 0.5 * Math.log1p(24))
})

test('features use earlier features; int sources become doubles', (t) => {
  const features = compileFeatures(
    {
      presets: { half: { alpha: 0.5, beta: 0, theta: 1 } },
      features: [
        { name: 'a', source: 'n', transform: 'linear', preset: 'half' },
        { name: 'b', source: 'feat.a + 1.0', transform: 'linear' },
      ],
    },
    { variables: { n: 'int' } },
  )
  t.deepEqual(features.compute({ n: 5 }), { 'feat.a': 2.5, 'feat.b': 3.5 })
  t.deepEqual(features.compute({ n: 5n }), { 'feat.a': 2.5, 'feat.b': 3.5 })
  const e = t.throws(() => features.compute({ n: 1.5 }))
  t.is((e as GamesaError).code, 'INVALID_ARGUMENT')
})

test('every problem of a document is reported with path and position', (t) => {
  const e = t.throws(() =>
    compileFeatures({
      presets: { p: { alpha: 1, beta: 0, theta: 1 } },
      features: [
        { name: 'a', source: 'feat.b', transform: 'linear' },
        { name: 'b', source: 'x +\n  nope', transform: 'linear' },
        { name: 'c', source: 'x', transform: 'linear', preset: 'q' },
        { name: 'd', source: 'x', transform: 'linear', preset: 'p', alpha: 2 },
      ],
    }, { variables: { x: 'double' } }),
  )
  t.true(e instanceof GamesaError)
  t.true(e instanceof DocumentProblemsError)
  t.is((e as GamesaError).code, 'INVALID_CONFIG')
  const problems = (e as DocumentProblemsError).problems
  t.deepEqual(
    problems.map((p) => [p.id, p.path, p.line ?? null, p.column ?? null]),
    [
      ['a', '$.features[0].source', 1, 1],
      ['b', '$.features[1].source', 2, 3],
      ['c', '$.features[2].preset', null, null],
      ['d', '$.features[3].preset', null, null],
    ],
  )
  t.regex(problems[0]?.message ?? '', /declared after/)
})

test('the default variables are the telemetry catalog', (t) => {
  const vars = telemetryVariables()
  t.is(vars[0]?.name, 'cpu.util')
  t.deepEqual(vars.find((v) => v.name === 'gpu.count'), { name: 'gpu.count', type: 'int' })
  t.true(vars.some((v) => v.name === 'gpu0.temp_c' && v.type === 'double'))
})
