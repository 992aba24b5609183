// Runs before `npm test` (npm's `pretest`). Tests need a native addon and the compiled
// TypeScript layer, not a fresh release build: this builds only what is missing or stale.
//
// - The addon (gamesa-core.<platform>.node at the root): built with `npm run build:debug` when
//   none exists, or when a file it is built from (crates/*/src, crates/*/build.rs, the Cargo
//   manifests, Cargo.lock) is newer than it. An up-to-date release build (from `npm install`,
//   `npm ci` or `npm run build`) is used as it is.
// - dist/: `npm run build:ts` when dist/index.js is missing or older than a file of src/ or
//   the tsconfig files.
//
// `npm run build` (release, LTO) stays the build for packaging and benchmarks.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function run(script) {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) {
    console.error(`[gamesa] \`npm run ${script}\` failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
}

/** The newest modification time (ms) of `path`, or of every file below it when it is a folder. */
function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = 0
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

/** The newest of what the addon is built from. */
function rustInputs() {
  const crates = join(root, 'crates')
  let latest = Math.max(newest(join(root, 'Cargo.toml')), newest(join(root, 'Cargo.lock')))
  for (const crate of readdirSync(crates)) {
    for (const part of ['src', 'build.rs', 'Cargo.toml']) latest = Math.max(latest, newest(join(crates, crate, part)))
  }
  return latest
}

if (process.env.GAMESA_SKIP_ENSURE === '1') process.exit(0)

// The generated loader picks the binary for this platform by this name pattern.
const addons = readdirSync(root).filter((f) => f.startsWith('gamesa-core.') && f.endsWith('.node'))
const addonTime = Math.max(0, ...addons.map((f) => statSync(join(root, f)).mtimeMs))
if (addons.length === 0) {
  console.error('[gamesa] no native addon: building the debug addon (npm run build:debug)…')
  run('build:debug')
} else if (rustInputs() > addonTime) {
  console.error(`[gamesa] Rust sources are newer than ${addons.join(', ')}: rebuilding (debug, npm run build:debug)…`)
  run('build:debug')
}

const distTime = newest(join(root, 'dist', 'index.js'))
const tsInputs = Math.max(newest(join(root, 'src')), newest(join(root, 'tsconfig.json')), newest(join(root, 'tsconfig.build.json')))
if (distTime === 0 || tsInputs > distTime) {
  console.error('[gamesa] compiling the TypeScript layer (npm run build:ts)…')
  run('build:ts')
}
