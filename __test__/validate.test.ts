// `gamesa validate` end to end: the CLI from source (the same code tsc compiles into
// dist/cli/gamesa.js) on every sample, on invalid files (every problem, JSON paths, line and
// column inside expressions) and on usage errors, with its exit codes.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface Problem {
  path: string
  message: string
  line?: number
  column?: number
}
interface Report {
  valid: boolean
  files: { file: string; kind: string | null; valid: boolean; problems: Problem[] }[]
}

function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts', ...args],
    { encoding: 'utf8' },
  )
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

function jsonReport(...args: string[]): { code: number | null; report: Report } {
  const r = gamesa('validate', '--json', ...args)
  return { code: r.code, report: JSON.parse(r.stdout) as Report }
}

/**
 * Corpora of valid and invalid files (each checked by its own tests; the allocator and engine
 * corpora also below) and data files that are not documents of a kind (test cases, lists).
 */
const NOT_SAMPLES = new Set(
  [
    'allocation_configs',
    'engine_configs',
    'gate_configs',
    'market_configs',
    join('scenarios', 'invalid'),
    join('gate', 'contracts.json'),
    join('gate', 'unsafe_actions.json'),
  ].map((p) => join('samples', p)),
)

/** Every .json document under samples/, except the corpora and data files above. */
function samples(dir = 'samples'): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (NOT_SAMPLES.has(path)) return []
      if (statSync(path).isDirectory()) return samples(path)
      return name.endsWith('.json') ? [path] : []
    })
}

const work = mkdtempSync(join(tmpdir(), 'gamesa-validate-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

function write(name: string, content: unknown): string {
  const path = join(work, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return path
}

const SCHEMA = '../schemas/contract.schema.json'

const hasSchema = (file: string) => '$schema' in (JSON.parse(readFileSync(file, 'utf8')) as object)

test('every sample names its schema and is valid', (t) => {
  const files = samples().filter(hasSchema)
  t.deepEqual(
    samples().filter((f) => !hasSchema(f)),
    [],
  )
  t.true(files.length >= 10, files.join(', '))
  // Rules read the sample features (feat.*) besides the telemetry catalog.
  const { code, report } = jsonReport('--features', join('samples', 'scale_presets.json'), ...files)
  t.deepEqual(
    report.files.filter((f) => !f.valid),
    [],
  )
  t.is(code, 0)
  t.true(report.valid)
  t.deepEqual(
    [...new Set(report.files.map((f) => f.kind))].sort(),
    ['allocator-config', 'contract', 'engine', 'gate-config', 'policy-proposal', 'rule', 'scale-presets', 'scenario'],
  )
})

test('the allocator corpus: valid files pass and invalid ones fail, with --kind', (t) => {
  const dir = join('samples', 'allocation_configs')
  const valid = readdirSync(join(dir, 'valid')).map((f) => join(dir, 'valid', f))
  const ok = jsonReport('--kind', 'allocator-config', join('samples', 'allocation_schema.json'), ...valid)
  t.is(ok.code, 0, JSON.stringify(ok.report.files.filter((f) => !f.valid)))
  const expected = JSON.parse(readFileSync(join(dir, 'invalid_paths.json'), 'utf8')) as Record<string, string>
  const invalid = Object.keys(expected).sort()
  const bad = jsonReport('--kind=allocator-config', ...invalid.map((f) => join(dir, 'invalid', f)))
  t.is(bad.code, 1)
  bad.report.files.forEach((f, i) => {
    t.false(f.valid, f.file)
    t.true(
      f.problems.some((p) => p.path === expected[invalid[i]!]),
      `${f.file}: expected a problem at ${expected[invalid[i]!]}, got ${JSON.stringify(f.problems)}`,
    )
  })
})

test('an invalid contract: every problem, with paths and expression positions', (t) => {
  const file = write('bad_contract.json', {
    $schema: SCHEMA,
    name: 'thermal',
    variables: { temp_cpu: 'double', fan_rpm: 'int' },
    pre: ['temp_cpu < 95.0', 'temp_cpus < 95.0'],
    post: ['fan_rpm + 1.5 > 0'],
    invariants: ['temp_cpu >\n   ', 'temp_cpu * 2.0'],
    onViolation: 'clamp',
  })
  const { code, report } = jsonReport(file)
  t.is(code, 1)
  t.false(report.valid)
  const [f] = report.files
  t.is(f!.kind, 'contract')
  t.deepEqual(
    f!.problems.map((p) => p.path),
    ['$.pre[1]', '$.post[0]', '$.invariants[0]', '$.invariants[1]'],
  )
  const [undeclared, mixed, syntax, notBool] = f!.problems
  t.deepEqual([undeclared!.line, undeclared!.column], [1, 1])
  t.regex(undeclared!.message, /did you mean `temp_cpu`/)
  t.is(mixed!.line, 1)
  t.true(mixed!.column! > 1)
  t.is(syntax!.line, 2, 'the error is on the second line of the expression')
  t.regex(notBool!.message, /must be a bool expression.*double/)

  const human = gamesa('validate', file)
  t.is(human.code, 1)
  t.regex(human.stdout, /bad_contract\.json \(contract\): 4 problems/)
  t.regex(human.stdout, /\$\.pre\[1\] \(line 1, column 1\): .*did you mean `temp_cpu`/)
  t.regex(human.stdout, /\$\.invariants\[0\] \(line 2, column \d+\): /)
})

const RULE_SCHEMA = '../schemas/rule.schema.json'
const rule = {
  $schema: RULE_SCHEMA,
  id: 'gpu_hot',
  domain: 'thermal',
  priority: 'high',
  when: 'gpu0.temp_c > 85.0',
  action: { kind: 'set_gpu_power_limit', target: 'gpu0', params: { deltaW: -30 } },
}

test('an invalid rule set: every bad rule, with paths and expression positions', (t) => {
  const file = write('bad_rules.json', {
    $schema: '../schemas/rule-set.schema.json',
    rules: [
      rule,
      { ...rule, id: 'typo', when: 'gpu0.temp > 85.0' },
      { ...rule, id: 'syntax', when: 'gpu0.temp_c >\n  && true' },
      { ...rule, id: 'features', when: 'feat.gpu_heat > 0.5' },
    ],
  })
  const { code, report } = jsonReport(file)
  t.is(code, 1)
  const [f] = report.files
  t.is(f!.kind, 'rule-set')
  t.deepEqual(
    f!.problems.map((p) => p.path),
    ['$.rules[1].when', '$.rules[2].when', '$.rules[3].when'],
  )
  t.deepEqual([f!.problems[0]!.line, f!.problems[0]!.column], [1, 1])
  t.is(f!.problems[1]!.line, 2)
  t.regex(f!.problems[2]!.message, /feat\.gpu_heat.*--features/)
})

test('rule structure problems are all reported before any expression is compiled', (t) => {
  const file = write('bad_rule.json', { ...rule, priority: 'urgent', mode: 'sometimes', cooldownMs: -1, when: 'nonsense +' })
  const { code, report } = jsonReport(file)
  t.is(code, 1)
  t.deepEqual(report.files[0]!.problems.map((p) => p.path).sort(), ['$.cooldownMs', '$.mode', '$.priority'])
})

test('an invalid scale-presets file, and --features that does not compile', (t) => {
  const presets = write('bad_presets.json', {
    $schema: '../schemas/scale-presets.schema.json',
    features: [
      { name: 'heat', source: 'gpu0.temp_c / 100.0', transform: 'linear' },
      { name: 'bad', source: 'gpu0.tmp_c', transform: 'tanh' },
    ],
  })
  const { code, report } = jsonReport(presets)
  t.is(code, 1)
  t.is(report.files[0]!.kind, 'scale-presets')
  t.deepEqual(report.files[0]!.problems.map((p) => [p.path, p.line, p.column]), [['$.features[1].source', 1, 1]])
  const r = gamesa('validate', '--features', presets, join('samples', 'contracts', 'safety_check.json'))
  t.is(r.code, 2)
  t.regex(r.stderr, /--features .*bad_presets\.json is not a valid scale-presets file:\n {2}\$\.features\[1\]\.source \(line 1, column 1\)/)
})

test('structural problems are all reported with their JSON paths', (t) => {
  const file = write('structure.json', {
    $schema: SCHEMA,
    name: 'has space',
    variables: { '9lives': 'double', ok: 'float' },
    invariant: ['true'],
    onViolation: 'explode',
  })
  const { code, report } = jsonReport(file)
  t.is(code, 1)
  t.deepEqual(report.files[0]!.problems.map((p) => p.path).sort(), [
    '$.invariant',
    '$.name',
    '$.onViolation',
    '$.variables.ok',
    '$.variables["9lives"]',
  ])
})

test('malformed JSON is reported at $ with its line and column', (t) => {
  const file = write('malformed.json', '{\n  "name": "x",\n  "pre": [1,]\n}')
  const { code, report } = jsonReport('--kind', 'contract', file)
  t.is(code, 1)
  const [p] = report.files[0]!.problems
  t.is(p!.path, '$')
  t.regex(p!.message, /malformed JSON/)
})

test('--kind that contradicts $schema is a problem; a file of unknown kind is a usage error', (t) => {
  const contract = write('contract.json', { $schema: SCHEMA, name: 'n', variables: { a: 'bool' }, invariants: ['a'], onViolation: 'signal' })
  t.is(gamesa('validate', contract).code, 0)
  const forced = jsonReport('--kind', 'allocator-config', contract)
  t.is(forced.code, 1)
  t.is(forced.report.files[0]!.problems[0]!.path, '$.$schema')

  const unknown = write('unknown.json', { hello: 'world' })
  const r = gamesa('validate', unknown)
  t.is(r.code, 2)
  t.regex(r.stderr, /cannot tell what kind of file this is: it has no "\$schema"; pass --kind/)
  const wrongRef = write('wrong_ref.json', { $schema: 'https://example.com/other.json' })
  t.regex(gamesa('validate', wrongRef).stderr, /names no GAMESA schema/)
})

test('usage errors exit 2 with a clear message; --help exits 0', (t) => {
  const missing = gamesa('validate', join(work, 'does-not-exist.json'))
  t.is(missing.code, 2)
  t.regex(missing.stderr, /cannot read .*does-not-exist\.json: no such file/)
  const none = gamesa('validate')
  t.is(none.code, 2)
  t.regex(none.stderr, /no file given/)
  t.is(gamesa('validate', '--kind', 'poem', 'x.json').code, 2)
  t.is(gamesa('validate', '--frobnicate', 'x.json').code, 2)
  const help = gamesa('validate', '--help')
  t.is(help.code, 0)
  t.regex(help.stdout, /usage: gamesa validate/)
  t.regex(help.stdout, /contract\.schema\.json/)
  t.regex(help.stdout, /exit codes: 0/)
  const top = gamesa('--help')
  t.regex(top.stdout, /validate\s+check GAMESA JSON files/)
})

const ENGINE = join('samples', 'engine.json')
const engineCorpus = join('samples', 'engine_configs')

test('engine: the sample and the valid corpus pass (kind from $schema), exit 0', (t) => {
  const valid = readdirSync(join(engineCorpus, 'valid')).map((f) => join(engineCorpus, 'valid', f))
  const { code, report } = jsonReport(ENGINE, ...valid)
  t.is(code, 0, JSON.stringify(report.files.filter((f) => !f.valid)))
  t.true(report.files.every((f) => f.kind === 'engine' && f.problems.length === 0))
  const human = gamesa('validate', ENGINE)
  t.is(human.code, 0)
  t.regex(human.stdout, /samples\/engine\.json \(engine\): valid/)
})

test('engine: every invalid corpus file exits 1 with a problem at its recorded path', (t) => {
  const expected = JSON.parse(readFileSync(join(engineCorpus, 'invalid_paths.json'), 'utf8')) as Record<string, string>
  const invalid = Object.keys(expected).sort()
  // Malformed files and arrays have no $schema to detect the kind from.
  const { code, report } = jsonReport('--kind', 'engine', ...invalid.map((f) => join(engineCorpus, 'invalid', f)))
  t.is(code, 1)
  t.false(report.valid)
  report.files.forEach((f, i) => {
    const want = expected[invalid[i]!]!
    t.false(f.valid, f.file)
    t.is(f.kind, 'engine')
    t.true(
      f.problems.some((p) => p.path === want),
      `${f.file}: expected a problem at ${want}, got ${JSON.stringify(f.problems)}`,
    )
  })
})

test('engine: every problem, structure first; expressions with line and column; human output', (t) => {
  const config = JSON.parse(readFileSync(join(engineCorpus, 'valid', 'base.json'), 'utf8')) as Record<string, any>
  config.$schema = '../schemas/engine.schema.json'
  config.rules[0].when = 'wl.game.deadline_miss_rate >\n  && true'
  config.gate.actions.set_cpu_weight.agent = 'nobody'
  config.capacityFrom.thermal_headroom = 'thermal.headroom'
  const semantic = write('engine_semantic.json', config)
  const { code, report } = jsonReport(semantic)
  t.is(code, 1)
  const [f] = report.files
  t.is(f!.kind, 'engine')
  const paths = f!.problems.map((p) => p.path)
  for (const want of ['$.rules[0].when', '$.gate.actions.set_cpu_weight.agent', '$.capacityFrom.thermal_headroom']) {
    t.true(paths.includes(want), `${want} in ${JSON.stringify(paths)}`)
  }
  const when = f!.problems.find((p) => p.path === '$.rules[0].when')!
  t.is(when.line, 2, 'the error is on the second line of the expression')
  t.is(typeof when.column, 'number')

  config.tickMs = -5
  config.market.gain = 1
  const structural = write('engine_structure.json', config)
  const bad = jsonReport(structural)
  t.is(bad.code, 1)
  t.deepEqual(bad.report.files[0]!.problems.map((p) => p.path).sort(), ['$.market.gain', '$.tickMs'], 'structure problems only')

  const human = gamesa('validate', semantic)
  t.is(human.code, 1)
  t.regex(human.stdout, /engine_semantic\.json \(engine\): \d+ problems/)
  t.regex(human.stdout, /\$\.rules\[0\]\.when \(line 2, column \d+\): /)
  t.regex(human.stdout, /\$\.gate\.actions\.set_cpu_weight\.agent: no agent `nobody`/)
})

test('scenario: the samples pass (kind from $schema); an invalid one exits 1 with its path', (t) => {
  const dir = join('samples', 'scenarios')
  const valid = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f))
  t.true(valid.length >= 3)
  const ok = jsonReport(...valid)
  t.is(ok.code, 0, JSON.stringify(ok.report.files.filter((f) => !f.valid)))
  t.true(ok.report.files.every((f) => f.kind === 'scenario'))

  const scenario = JSON.parse(readFileSync(join(dir, 'heat_soak.json'), 'utf8')) as Record<string, any>
  scenario.$schema = '../schemas/scenario.schema.json'
  scenario.durationS = 0
  const semantic = write('scenario_bad.json', scenario)
  const bad = jsonReport(semantic)
  t.is(bad.code, 1)
  t.is(bad.report.files[0]!.kind, 'scenario')
  t.deepEqual(bad.report.files[0]!.problems.map((p) => p.path), ['$.durationS'])

  // Structure problems: every one, unknown keys named at their own path.
  scenario.durationS = 'long'
  scenario.machine.cpu.turbo = true
  const structural = write('scenario_structure.json', scenario)
  const human = gamesa('validate', structural)
  t.is(human.code, 1)
  t.regex(human.stdout, /scenario_structure\.json \(scenario\): 2 problems/)
  t.regex(human.stdout, /\$\.durationS: /)
  t.regex(human.stdout, /\$\.machine\.cpu\.turbo: unknown field `turbo`/)

  // The invalid scenario corpus, forced to the kind (some files are malformed JSON).
  const expected = JSON.parse(readFileSync(join(dir, 'invalid', '_expected_paths.json'), 'utf8')) as Record<string, string>
  const names = Object.keys(expected).sort()
  const corpus = jsonReport('--kind', 'scenario', ...names.map((f) => join(dir, 'invalid', f)))
  t.is(corpus.code, 1)
  corpus.report.files.forEach((f, i) => {
    t.true(
      f.problems.some((p) => p.path === expected[names[i]!]),
      `${f.file}: expected ${expected[names[i]!]}, got ${JSON.stringify(f.problems)}`,
    )
  })
})

test('gate and market documents are detected from $schema too', (t) => {
  const { code, report } = jsonReport(join('samples', 'gate', 'gate.json'), join('samples', 'market_configs', 'valid', 'game_and_compile.json'))
  t.is(code, 0, JSON.stringify(report))
  t.deepEqual(
    report.files.map((f) => f.kind),
    ['gate-config', 'market'],
  )
  const gate = write('gate_bad.json', { $schema: '../schemas/gate-config.schema.json', actions: { k: { agent: 'a', effect: 'gpu_control', targets: [], extra: 1 } } })
  const bad = jsonReport(gate)
  t.is(bad.code, 1)
  t.deepEqual(bad.report.files[0]!.problems.map((p) => p.path), ['$.actions.k.extra'])
  // With the structure sound, the core's rules speak.
  const meaning = write('gate_meaning.json', { $schema: '../schemas/gate-config.schema.json', actions: { k: { agent: 'a', effect: 'gpu_control', targets: [] } } })
  t.deepEqual(jsonReport(meaning).report.files[0]!.problems.map((p) => p.path), ['$.actions.k.targets'])
})

test('--help lists the engine and scenario kinds and says what checks them', (t) => {
  const help = gamesa('validate', '--help')
  t.is(help.code, 0)
  for (const kind of ['engine', 'scenario', 'gate-config', 'market']) t.regex(help.stdout, new RegExp(`\\n  ${kind} +${kind}\\.schema\\.json`))
  t.regex(help.stdout, /scenarios, gate configs and market documents are checked by their schema/)
})

test('a condition that fails on every evaluation is a problem at its path, line and column', (t) => {
  const engine = JSON.parse(readFileSync('samples/engine.json', 'utf8')) as { rules: { when: string }[] }
  engine.rules[0]!.when = '1 / 0 > 0'
  const rules = write('div0_rules.json', { $schema: '../schemas/rule-set.schema.json', rules: [engine.rules[0]] })
  const contract = write('div0_contract.json', {
    $schema: SCHEMA,
    name: 'c',
    onViolation: 'rollback',
    variables: { t: 'double' },
    invariants: ['t > 1.0 || int(1e300) > 0'],
  })
  const engineFile = write('div0_engine.json', engine)
  for (const [file, path, column] of [
    [rules, '$.rules[0].when', 3],
    [contract, '$.invariants[0]', 12],
    [engineFile, '$.rules[0].when', 3],
  ] as const) {
    const { code, report } = jsonReport(file)
    t.is(code, 1, file)
    const problems = report.files[0]!.problems
    t.is(problems.length, 1, JSON.stringify(problems))
    t.is(problems[0]!.path, path)
    t.is(problems[0]!.line, 1)
    t.is(problems[0]!.column, column)
    t.regex(problems[0]!.message, /fails on every evaluation/)
  }
})

test('a duplicate key is a problem at its path, with its line and column, in every kind', (t) => {
  const engineText = readFileSync('samples/engine.json', 'utf8').replace('"tickMs": 100,', '"tickMs": 100, "tickMs": 200,')
  t.true(engineText.includes('"tickMs": 200'))
  const cases: Array<[string, string, string]> = [
    ['dup_engine.json', engineText, '$.tickMs'],
    ['dup_contract.json', `{"$schema": "${SCHEMA}", "name": "c",\n "name": "d", "onViolation": "rollback", "invariants": ["true"]}`, '$.name'],
    ['dup_alloc.json', '{"pools": [{"resource": "cpu_cores", "strategy": "first_fit",\n "capacity": -1, "capacity": 8}]}', '$.pools[0].capacity'],
  ]
  for (const [name, text, path] of cases) {
    const file = write(name, text)
    const { code, report } = name === 'dup_alloc.json' ? jsonReport('--kind', 'allocator-config', file) : jsonReport(file)
    t.is(code, 1, name)
    const problems = report.files[0]!.problems
    t.is(problems[0]?.path, path, JSON.stringify(problems))
    t.regex(problems[0]!.message, /duplicate key `\w+` at line \d+ column \d+/)
  }
})
