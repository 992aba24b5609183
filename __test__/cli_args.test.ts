// The command line every `gamesa` command shares (src/cli/args.ts): `--help` prints the
// command's help on standard output and exits 0; an unknown option, an option without its value
// or a flag given a value is a usage error naming it, on standard error, with exit code 2.
import test from 'ava'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

function gamesa(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })
    })
  })
}

/** Every command, with one option that takes a value and one flag it knows. */
const COMMANDS: { name: string; valued: string; flag?: string }[] = [
  { name: 'validate', valued: '--kind', flag: '--json' },
  { name: 'snapshot', valued: '', flag: '--json' },
  { name: 'record', valued: '--out', flag: '--quiet' },
  { name: 'top', valued: '--rate', flag: '--once' },
  { name: 'replay', valued: '--config', flag: '--json' },
  { name: 'backtest', valued: '--scenario', flag: '--list' },
  { name: 'run', valued: '--config', flag: '--once' },
]

for (const { name, valued, flag } of COMMANDS) {
  test(`${name}: --help and -h print the help and exit 0, even beside a mistake`, async (t) => {
    for (const args of [['--help'], ['-h'], ['--no-such-option', '--help']]) {
      const r = await gamesa(name, ...args)
      t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      t.regex(r.stdout, new RegExp(`^usage: gamesa ${name}`), args.join(' '))
      t.is(r.stderr, '', args.join(' '))
    }
  })

  test(`${name}: an unknown option is a usage error naming it (exit 2)`, async (t) => {
    for (const bad of ['--no-such-option', '--no-such-option=3', '-z']) {
      const r = await gamesa(name, bad)
      t.is(r.code, 2, bad)
      const shown = bad.split('=')[0]!
      t.true(r.stderr.startsWith(`gamesa ${name}: unknown option '${shown}'\n`), `${bad}: ${r.stderr.split('\n')[0]}`)
      t.regex(r.stderr, new RegExp(`usage: gamesa ${name}`), 'the help follows the message')
      t.is(r.stdout, '', bad)
    }
  })

  test(`${name}: a missing value and a value given to a flag are usage errors naming the option (exit 2)`, async (t) => {
    if (valued) {
      const r = await gamesa(name, valued)
      t.is(r.code, 2, valued)
      t.true(r.stderr.startsWith(`gamesa ${name}: ${valued} needs a value\n`), r.stderr.split('\n')[0])
    }
    if (flag) {
      const r = await gamesa(name, `${flag}=yes`)
      t.is(r.code, 2, flag)
      t.true(r.stderr.startsWith(`gamesa ${name}: ${flag} takes no value\n`), r.stderr.split('\n')[0])
    }
  })
}

test('a command that takes no file names a stray argument (exit 2)', async (t) => {
  const r = await gamesa('snapshot', 'extra')
  t.is(r.code, 2)
  t.true(r.stderr.startsWith("gamesa snapshot: unexpected argument 'extra'\n"), r.stderr.split('\n')[0])
})

test('gamesa itself: --version prints the package version; --help exits 0; an unknown command exits 2 naming it', async (t) => {
  const version = await gamesa('--version')
  t.is(version.code, 0)
  t.is(version.stdout.trim(), (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version)
  const help = await gamesa('--help')
  t.is(help.code, 0)
  for (const { name } of COMMANDS) t.regex(help.stdout, new RegExp(`^ {2}${name} `, 'm'), name)
  const unknown = await gamesa('frobnicate')
  t.is(unknown.code, 2)
  t.regex(unknown.stderr, /^gamesa: unknown command 'frobnicate'/)
})
