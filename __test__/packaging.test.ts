// Proves the published shape works, not only the repo: packs @gamesa/core and its
// linux-x64-gnu platform package exactly as `napi prepublish` would publish them, installs both
// into a fresh project outside the repo, and runs a script there that imports and allocates,
// and builds an engine from a sample the package ships (resolved through its `exports`).
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// ava runs every test file with the project root as its working directory.
const root = process.cwd()
const platformDir = 'linux-x64-gnu'
const binary = `gamesa-core.${platformDir}.node`

function isLinuxX64Glibc(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false
  const header = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return Boolean(header?.header?.glibcVersionRuntime)
}

const onPlatform = isLinuxX64Glibc() ? test : test.skip

onPlatform('npm pack + install into a fresh project: import @gamesa/core and allocate', (t) => {
  t.timeout(5 * 60_000)
  t.true(existsSync(join(root, binary)), `${binary} must be built first (npm run build)`)
  t.true(existsSync(join(root, 'dist', 'index.js')), 'dist/ must be built first (npm run build:ts)')

  const work = mkdtempSync(join(tmpdir(), 'gamesa-pack-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const npm = (args: string[], cwd: string) =>
    execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } })

  // The platform package, made the way the release job makes it.
  // napi keeps the npm dirs inside the project it runs in, so it runs on a copy of package.json.
  copyFileSync(join(root, 'package.json'), join(work, 'package.json'))
  execFileSync(join(root, 'node_modules', '.bin', 'napi'), ['create-npm-dirs', '--cwd', work], { stdio: 'pipe' })
  const npmDir = join(work, 'npm')
  copyFileSync(join(root, binary), join(npmDir, platformDir, binary))

  const packs = join(work, 'packs')
  mkdirSync(packs)
  npm(['pack', '--ignore-scripts', '--pack-destination', packs], root)
  npm(['pack', '--ignore-scripts', '--pack-destination', packs], join(npmDir, platformDir))
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'))
  t.is(tarballs.length, 2, `expected two tarballs, got ${tarballs.join(', ')}`)
  // The main tarball must not smuggle a binary in: the platform package has to provide it.
  const mainTgz = tarballs.find((f) => !f.includes(platformDir))!
  const listing = execFileSync('tar', ['-tzf', join(packs, mainTgz)], { encoding: 'utf8' })
  t.false(listing.includes('.node'), 'the main package must not contain a .node binary')
  t.true(listing.includes('package/dist/index.js') && listing.includes('package/index.d.ts'))

  const app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'gamesa-pack-check', private: true, type: 'module' }))
  npm(['install', '--no-audit', '--no-fund', ...tarballs.map((f) => join(packs, f))], app)
  writeFileSync(
    join(app, 'check.mjs'),
    `import { createDefaultAllocator, ResourceType, Priority, GamesaError } from '@gamesa/core'
const a = createDefaultAllocator()
const lease = a.allocate({ id: 'pack-check', resourceType: ResourceType.CpuCores, amount: 2, priority: Priority.Normal })
let code = null
try { a.allocate({ id: 'too-much', resourceType: ResourceType.CpuCores, amount: 1000 }) } catch (e) { code = e instanceof GamesaError ? e.code : 'not a GamesaError' }
// The README's engine example, with the sample config resolved from the installed package.
import { Engine, readSnapshot } from '@gamesa/core'
import { fileURLToPath } from 'node:url'
const engine = Engine.fromFile(fileURLToPath(import.meta.resolve('@gamesa/core/samples/engine.json')))
const out = engine.tick(readSnapshot())
console.log(JSON.stringify({ granted: lease.granted, placement: lease.placement, code, prices: typeof out.market.prices.cpu_cores }))
`,
  )
  const out = execFileSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8' })
  const result = JSON.parse(out.trim().split('\n').pop()!)
  t.is(result.granted, 2)
  t.deepEqual(result.placement.units, [0, 1])
  t.is(result.code, 'INSUFFICIENT_CAPACITY')
  t.is(result.prices, 'number', 'the engine built from the shipped sample ticks')
  // And CommonJS users get the same module.
  const cjs = execFileSync(process.execPath, ['-e', "const g = require('@gamesa/core'); console.log(typeof g.createDefaultAllocator, typeof g.GamesaError)"], {
    cwd: app,
    encoding: 'utf8',
  })
  t.is(cjs.trim(), 'function function')
  // Shipped samples and schemas resolve from CommonJS too (package.json `exports`).
  const samples = execFileSync(
    process.execPath,
    ['-e', "const { Engine } = require('@gamesa/core'); const e = Engine.fromFile(require.resolve('@gamesa/core/samples/engine.json')); console.log(e.inputNames.length > 0, require('@gamesa/core/schemas/engine.schema.json').title !== undefined)"],
    { cwd: app, encoding: 'utf8' },
  )
  t.is(samples.trim(), 'true true')
})
