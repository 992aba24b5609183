// What the argument check at every public entry (src/arguments.ts) costs per call: a no-op of
// one, two and four arguments called bare and through `guard` with the specs of the hot paths
// (`allocate(request)`, `tickValues(values, nowMs)`, `EffectChecker#check(agent, effect,
// target?, nowMs?)`). Three rounds of 5 M calls each; the last round is printed.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/arguments.bench.ts
import { argument, guard } from '../src/arguments.js'

const one = (a: unknown): unknown => a
const two = (_a: unknown, b: unknown): unknown => b
const four = (_a: unknown, _b: unknown, _c: unknown, d: unknown): unknown => d

const cases: Array<[string, (...args: unknown[]) => unknown, (...args: unknown[]) => unknown, unknown[]]> = [
  ['allocate(request)', one, guard(one, 'allocate', [argument('request: object')]), [{ id: 'a' }]],
  ['tickValues(values, nowMs)', two, guard(two, 'tickValues', [argument('values: Float64Array'), argument('nowMs: number')]), [new Float64Array(4), 1]],
  [
    'check(agent, effect, target, nowMs)',
    four,
    guard(four, 'check', ['agent: string', 'effect: string', 'target?: string|null', 'nowMs?: number|null'].map(argument)),
    ['agent', 'cpu_control', 'cpu0', 1],
  ],
]

function time(f: (...args: unknown[]) => unknown, args: unknown[]): number {
  let ns = 0
  for (let round = 0; round < 3; round++) {
    const n = 5_000_000
    let sink = 0
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) if (f(...args) !== undefined) sink++
    ns = Number(process.hrtime.bigint() - t0) / n
    if (sink !== n) throw new Error('the no-op returned undefined')
  }
  return ns
}

for (const [name, bare, guarded, args] of cases) {
  const b = time(bare, args)
  const g = time(guarded, args)
  console.log(`${name.padEnd(38)} bare ${b.toFixed(1).padStart(5)} ns  guarded ${g.toFixed(1).padStart(5)} ns  (+${(g - b).toFixed(1)} ns)`)
}
