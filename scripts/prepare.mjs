// Runs on `npm install` in a clone (npm's `prepare` lifecycle). It builds the native addon from
// source when no binary for this platform is present (or always when cargo is available, so a
// clone never runs a stale addon), then compiles the TypeScript layer to dist/.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) {
    console.error(`[gamesa] \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
}

if (process.env.GAMESA_SKIP_PREPARE === '1') process.exit(0)

const hasCargo = spawnSync('cargo', ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0
const hasBinary = readdirSync(root).some((f) => f.startsWith('gamesa-core.') && f.endsWith('.node'))

if (hasCargo) {
  console.error('[gamesa] building the native addon from source (cargo, release)…')
  run('npm', ['run', '--silent', 'build:native'])
} else if (!hasBinary) {
  console.error(
    '[gamesa] no prebuilt binary for this platform and no Rust toolchain: install Rust (https://rustup.rs) and run `npm install` again',
  )
  process.exit(1)
}
run('npm', ['run', '--silent', 'build:ts'])
