// `gamesa run --apply --gamemode` with GameMode's real clients, on a private session bus (a
// dbus-daemon of our own with no service files, so nothing is activated behind our back):
// - a CPU-heavy program started through the real `gamemoderun`, and the real
//   `gamemode-simulate-game`, register themselves; they join the priority group (read from
//   /proc/PID/cgroup) with the group's weight, GameMode's own `gamemoded -s` reports them,
//   and when they exit the service forgets them;
// - busctl calls check the rules: a process of another user is refused, a missing pid too,
//   and unregistering a live process puts it back in its original group;
// - a running gamemoded keeps its name: gamesa says who owns it and does not take it; a
//   gamemoded started later is reported as a conflict.
// Every process, bus, cgroup and file a test creates is removed, also when it fails.
import test from 'ava'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyLock } from './helpers/apply_lock.ts'
import { cpuHierarchy, groupOf } from './helpers/cgroups.ts'

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
const GAMEMODERUN = '/usr/games/gamemoderun'
const SIMULATE = '/usr/games/gamemode-simulate-game'
const work = mkdtempSync(join(tmpdir(), 'gamesa-gamemode-'))
// Another user (nobody) connects to the private bus in one test: its socket must be reachable.
chmodSync(work, 0o755)
const children: ChildProcess[] = []
test.after.always(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

const isRoot = process.getuid?.() === 0
const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim()
/** Why the test cannot run here; undefined when it can. */
function missing(): string | undefined {
  if (!isRoot) return 'needs root (the governor moves processes between cgroups)'
  if (!which('dbus-daemon')) return 'needs dbus-daemon (Debian: dbus)'
  if (!existsSync(GAMEMODERUN) || !existsSync(SIMULATE) || !which('gamemoded')) return 'needs gamemoderun, gamemode-simulate-game and gamemoded (Debian: gamemode)'
  if (!which('busctl')) return 'needs busctl (systemd)'
  if (!cpuHierarchy()) return 'needs a writable cpu controller'
  return undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(what: () => boolean, ms: number): Promise<boolean> {
  const t0 = performance.now()
  while (performance.now() - t0 < ms) {
    if (what()) return true
    await sleep(25)
  }
  return what()
}

/**
 * A private session bus: a dbus-daemon that activates nothing. `asUser`: the bus of that uid
 * (as a user's session bus is), admitting root through the shipped policy file only.
 */
async function privateBus(tag: string, asUser?: number): Promise<{ address: string; env: NodeJS.ProcessEnv; stop: () => void }> {
  // The bus's own folder: a user's bus creates its socket there and reads its files.
  const dir = join(work, tag)
  mkdirSync(dir)
  const policy = join(dir, 'gamesa-gamemode.conf')
  copyFileSync('packaging/dbus-1/session.d/gamesa-gamemode.conf', policy)
  if (asUser !== undefined) chownSync(dir, asUser, asUser)
  const socket = join(dir, 'bus')
  const config = join(dir, 'bus.conf')
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${socket}</listen><auth>EXTERNAL</auth>
<policy context="default">${asUser === undefined ? '<allow user="*"/>' : ''}<allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
${asUser === undefined ? '' : `<include>${policy}</include>`}</busconfig>\n`,
  )
  const dbus = ['dbus-daemon', `--config-file=${config}`, '--nofork', '--print-address=1']
  const daemon = asUser === undefined ? spawn(dbus[0] as string, dbus.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] }) : spawn('setpriv', [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', ...dbus], { stdio: ['ignore', 'pipe', 'ignore'] })
  children.push(daemon)
  let out = ''
  daemon.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  await until(() => out.includes('\n'), 5000)
  const address = out.trim()
  if (!address.startsWith('unix:')) throw new Error(`dbus-daemon gave no address: ${out}`)
  // Only what the clients need: the bus, and no LD_PRELOAD leaking into the tools.
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }
  delete env.LD_PRELOAD
  return { address, env, stop: () => daemon.kill('SIGTERM') }
}

/** `gamesa run --apply --gamemode` on `bus`, its stderr collected. */
function governor(env: NodeJS.ProcessEnv, subtree: string, extra: string[] = []) {
  const journal = join(work, `${subtree}.journal`)
  const audit = join(work, `${subtree}.audit.ndjson`)
  const args = [...NODE_ARGS, 'run', '--apply', '--gamemode', '--config', 'samples/live_protect.json', '--rate', '10', '--json', '--journal', journal, '--cgroup-subtree', subtree, '--gamemode-audit', audit, ...extra]
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
  children.push(child)
  const log = { stderr: '' }
  child.stderr?.on('data', (d: Buffer) => (log.stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, log, exited, journal, audit }
}

const busctl = (env: NodeJS.ProcessEnv, ...args: string[]) => spawnSync('busctl', [`--address=${env.DBUS_SESSION_BUS_ADDRESS}`, ...args], { env, encoding: 'utf8', timeout: 10_000 })
const call = (env: NodeJS.ProcessEnv, method: string, sig: string, ...args: string[]) =>
  busctl(env, 'call', 'com.feralinteractive.GameMode', '/com/feralinteractive/GameMode', 'com.feralinteractive.GameMode', method, sig, ...args)
/** GameMode's own status query (libgamemode's QueryStatus through `gamemoded -s`). */
const gamemodeStatus = (env: NodeJS.ProcessEnv, pid?: number) => spawnSync('gamemoded', [pid === undefined ? '-s' : `-s${pid}`], { env, encoding: 'utf8', timeout: 10_000 })

test('--gamemode needs --apply; the help documents it', (t) => {
  const r = spawnSync(process.execPath, [...NODE_ARGS, 'run', '--gamemode', '--once'], { encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 2, r.stderr)
  t.regex(r.stderr, /--gamemode needs --apply/)
  const help = spawnSync(process.execPath, [...NODE_ARGS, 'run', '--help'], { encoding: 'utf8', timeout: 60_000 })
  t.regex(help.stdout, /--gamemode +with --apply/)
})

test.serial('gamemoderun and gamemode-simulate-game become the priority workload; exit and unregister restore', async (t) => {
  const why = missing()
  if (why) return t.pass(why)
  await applyLock(t)
  const cpu = cpuHierarchy() as { mount: string; v1: boolean }
  const bus = await privateBus('main')
  const subtree = `gamesa-gm-${process.pid}`
  const group = `/${subtree}/priority`
  const gov = governor(bus.env, subtree)
  try {
    t.true(await until(() => gov.log.stderr.includes('serving com.feralinteractive.GameMode'), 30_000), gov.log.stderr)
    t.regex(gamemodeStatus(bus.env).stdout, /gamemode is inactive/)
    // GameMode's signals, as a client listening for them sees them.
    const monitor = spawn('dbus-monitor', ['--address', bus.address, "type='signal',interface='com.feralinteractive.GameMode'"], { env: bus.env, stdio: ['ignore', 'pipe', 'ignore'] })
    children.push(monitor)
    let signals = ''
    monitor.stdout?.on('data', (d: Buffer) => (signals += d.toString()))
    await until(() => signals.includes('NameAcquired'), 3000)

    // A CPU-heavy program through the real gamemoderun: LD_PRELOAD=libgamemodeauto registers
    // it (RegisterGameByPIDFd) before main, and unregisters it at exit.
    const launched = performance.now()
    const heavy = spawn(GAMEMODERUN, [process.execPath, '-e', 'const t = Date.now(); while (Date.now() - t < 7000) {}'], { env: bus.env, stdio: 'ignore' })
    children.push(heavy)
    const heavyPid = heavy.pid as number
    const heavyExit = new Promise<void>((resolve) => heavy.once('exit', () => resolve()))
    t.true(await until(() => groupOf(heavyPid, cpu.v1) === group, 5000), `gamemoderun's program in ${group}: ${groupOf(heavyPid, cpu.v1)}; ${gov.log.stderr}`)
    // Node's start-up included (libgamemodeauto registers before main), and the first rule
    // firing that creates the group.
    t.log(`gamemoderun's program in the priority group ${(performance.now() - launched).toFixed(0)} ms after launch`)
    t.regex(gov.log.stderr, new RegExp(`RegisterGameByPIDFd from pid ${heavyPid} \\(uid 0\\): process ${heavyPid} \\(uid 0\\) joins the priority workload`))
    const weight = readFileSync(join(cpu.mount, subtree, 'priority', cpu.v1 ? 'cpu.shares' : 'cpu.weight'), 'utf8').trim()
    t.is(weight, cpu.v1 ? '10240' : '1000', 'the group has the weight the engine set through the gate')
    t.regex(gamemodeStatus(bus.env, heavyPid).stdout, new RegExp(`gamemode is active and \\[${heavyPid}\\] registered`))
    t.regex(gamemodeStatus(bus.env).stdout, /gamemode is active/)
    t.regex(busctl(bus.env, 'get-property', 'com.feralinteractive.GameMode', '/com/feralinteractive/GameMode', 'com.feralinteractive.GameMode', 'ClientCount').stdout, /^i 1$/m)

    // The real gamemode-simulate-game: registers, sleeps 10 s, unregisters.
    const sim = spawn(SIMULATE, [], { env: bus.env, stdio: 'ignore' })
    children.push(sim)
    const simPid = sim.pid as number
    const simExit = new Promise<number | null>((resolve) => sim.once('exit', (code) => resolve(code)))
    t.true(await until(() => groupOf(simPid, cpu.v1) === group, 5000), `gamemode-simulate-game in ${group}: ${gov.log.stderr}`)
    t.regex(call(bus.env, 'ListGames', '').stdout, new RegExp(`/com/feralinteractive/GameMode/Games/${simPid}`))

    // The rules, through real bus calls with the caller's credentials from the bus.
    t.regex(call(bus.env, 'RegisterGame', 'i', '4999999').stdout, /^i -1$/m, 'a pid that does not exist')
    const nobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'busctl', `--address=${bus.address}`, 'call', 'com.feralinteractive.GameMode', '/com/feralinteractive/GameMode', 'com.feralinteractive.GameMode', 'RegisterGameByPID', 'ii', '1', String(simPid)], { env: bus.env, encoding: 'utf8' })
    t.regex(nobody.stdout, /^i -1$/m, `another user's process: ${nobody.stderr}`)
    const refused = /refused RegisterGameByPID from pid \d+ \(uid 65534\) \(returned -1\): process \d+ belongs to uid 0, not to the caller's uid 65534/
    t.true(await until(() => refused.test(gov.log.stderr), 3000), gov.log.stderr)

    // Registered by a launcher (busctl) and unregistered while it lives: back to its group.
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' })
    children.push(sleeper)
    const sleeperPid = sleeper.pid as number
    // Its own group (on a shared machine another governor may have moved this test's process).
    const original = groupOf(sleeperPid, cpu.v1)
    t.regex(call(bus.env, 'RegisterGame', 'i', String(sleeperPid)).stdout, /^i 0$/m)
    t.regex(call(bus.env, 'QueryStatus', 'i', String(sleeperPid)).stdout, /^i 2$/m)
    t.true(await until(() => groupOf(sleeperPid, cpu.v1) === group, 5000), gov.log.stderr)
    t.regex(call(bus.env, 'UnregisterGame', 'i', String(sleeperPid)).stdout, /^i 0$/m)
    t.true(await until(() => groupOf(sleeperPid, cpu.v1) === original, 5000), `back in ${original}: ${groupOf(sleeperPid, cpu.v1)}`)
    t.regex(gov.log.stderr, new RegExp(`process ${sleeperPid} left the priority workload: \\d+ settings restored`))
    sleeper.kill('SIGKILL')

    // Killed without unregistering: forgotten on the next pass, as GameMode's reaper does.
    const doomed = spawn('sleep', ['30'], { stdio: 'ignore' })
    children.push(doomed)
    const doomedPid = doomed.pid as number
    t.regex(call(bus.env, 'RegisterGame', 'i', String(doomedPid)).stdout, /^i 0$/m)
    t.true(await until(() => groupOf(doomedPid, cpu.v1) === group, 5000), gov.log.stderr)
    doomed.kill('SIGKILL')
    t.true(await until(() => gov.log.stderr.includes(`gamemode: expired: process ${doomedPid} exited without unregistering`), 5000), gov.log.stderr)

    // The program exits: libgamemodeauto unregisters it; the simulated game does so too.
    await heavyExit
    t.true(await until(() => gov.log.stderr.includes(`UnregisterGameByPIDFd from pid ${heavyPid}`), 5000), gov.log.stderr)
    t.is(await simExit, 0, 'gamemode-simulate-game got 0 from every call')
    t.true(await until(() => gov.log.stderr.includes(`UnregisterGameByPIDFd from pid ${simPid}`), 5000), gov.log.stderr)
    t.true(await until(() => /gamemode is inactive/.test(gamemodeStatus(bus.env).stdout), 5000), 'no game registered any more')

    // Each registration and its end was signalled (GameRegistered / GameUnregistered: pid, path).
    monitor.kill('SIGTERM')
    for (const pid of [heavyPid, simPid, sleeperPid, doomedPid]) {
      for (const member of ['GameRegistered', 'GameUnregistered']) {
        t.regex(signals, new RegExp(`member=${member}\\n\\s+int32 ${pid}\\n\\s+object path "/com/feralinteractive/GameMode/Games/${pid}"`), `${member} ${pid}`)
      }
    }

    // The end: everything undone, the groups removed, every call audited.
    gov.child.kill('SIGTERM')
    t.is(await gov.exited, 143, gov.log.stderr)
    t.false(existsSync(join(cpu.mount, subtree)), 'groups removed')
    t.is(readFileSync(gov.journal, 'utf8'), '', 'journal empty')
    const records = readFileSync(gov.audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { decision: string; target: string; reason: string })
    t.true(records.some((r) => r.decision === 'approved' && r.target === `pid:${heavyPid}` && r.reason.includes(`RegisterGameByPIDFd: process ${heavyPid}`) && r.reason.includes(`caller pid ${heavyPid}`)), 'registration audited with the caller pid')
    t.true(records.some((r) => r.decision === 'rejected' && r.reason.includes('uid 65534')), 'refusal audited')
  } finally {
    if (gov.child.exitCode === null) gov.child.kill('SIGKILL')
    bus.stop()
    spawnSync(process.execPath, [...NODE_ARGS, 'restore', '--journal', gov.journal], { encoding: 'utf8' })
  }
})

test.serial('a user\'s session bus: root serves it through the shipped policy; the user\'s game registers itself', async (t) => {
  const why = missing()
  if (why) return t.pass(why)
  await applyLock(t)
  const cpu = cpuHierarchy() as { mount: string; v1: boolean }
  const nobody = 65534
  const bus = await privateBus('user', nobody)
  const subtree = `gamesa-gmu-${process.pid}`
  const gov = governor(bus.env, subtree)
  try {
    t.true(await until(() => gov.log.stderr.includes('serving com.feralinteractive.GameMode'), 30_000), gov.log.stderr)
    // The user's game: registers itself (its own process) through libgamemode.
    const sim = spawn('setpriv', [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', SIMULATE], { env: bus.env, stdio: 'ignore' })
    children.push(sim)
    const simPid = sim.pid as number
    t.true(await until(() => groupOf(simPid, cpu.v1) === `/${subtree}/priority`, 8000), gov.log.stderr)
    t.regex(gov.log.stderr, new RegExp(`RegisterGameByPIDFd from pid ${simPid} \\(uid ${nobody}\\): process ${simPid} \\(uid ${nobody}\\) joins`))
    // The user may not register root's processes: its uid is the bus's word, not its own.
    const r = spawnSync('setpriv', [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', 'busctl', `--address=${bus.address}`, 'call', 'com.feralinteractive.GameMode', '/com/feralinteractive/GameMode', 'com.feralinteractive.GameMode', 'RegisterGame', 'i', String(gov.child.pid)], { env: bus.env, encoding: 'utf8' })
    t.regex(r.stdout, /^i -1$/m, r.stderr)
    sim.kill('SIGKILL')
    gov.child.kill('SIGTERM')
    t.is(await gov.exited, 143, gov.log.stderr)
    t.false(existsSync(join(cpu.mount, subtree)), 'groups removed')
  } finally {
    if (gov.child.exitCode === null) gov.child.kill('SIGKILL')
    bus.stop()
    spawnSync(process.execPath, [...NODE_ARGS, 'restore', '--journal', gov.journal], { encoding: 'utf8' })
  }
})

test.serial('without a reachable session bus --gamemode is GAMEMODE_UNAVAILABLE and nothing is left behind', (t) => {
  const why = missing()
  if (why) return t.pass(why)
  const journal = join(work, 'nobus.journal')
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(work, 'no-such-bus')}` }
  const r = spawnSync(process.execPath, [...NODE_ARGS, 'run', '--apply', '--gamemode', '--journal', journal, '--duration', '1s', '--cgroup-subtree', `gamesa-gmn-${process.pid}`], { env, encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 1, r.stderr)
  t.regex(r.stderr, /GAMEMODE_UNAVAILABLE: GameMode service: connecting to the session bus/)
  t.false(existsSync(`${journal}.pid`), 'the pid file is removed')
  t.is(readFileSync(journal, 'utf8'), '', 'nothing journaled')
})

test.serial('a running gamemoded keeps the name; one started later is reported as a conflict', async (t) => {
  const why = missing()
  if (why) return t.pass(why)
  await applyLock(t)
  const bus = await privateBus('fight')
  try {
    const gamemoded = spawn('gamemoded', [], { env: bus.env, stdio: 'ignore' })
    children.push(gamemoded)
    t.true(await until(() => /gamemode is inactive/.test(gamemodeStatus(bus.env).stdout), 10_000), 'gamemoded answers')
    const first = governor(bus.env, `gamesa-gmf-${process.pid}`, ['--duration', '3s'])
    t.is(await first.exited, 0, first.log.stderr)
    t.regex(first.log.stderr, new RegExp(`com.feralinteractive.GameMode is owned by pid ${gamemoded.pid} \\(gamemoded\\?\\): not taken`))
    t.regex(busctl(bus.env, 'list').stdout, new RegExp(`com.feralinteractive.GameMode +${gamemoded.pid} `), 'still gamemoded\'s')
    gamemoded.kill('SIGTERM')
    await until(() => gamemoded.exitCode !== null || gamemoded.signalCode !== null, 5000)

    // gamesa first; a gamemoded started later waits in the queue and is reported.
    const second = governor(bus.env, `gamesa-gms-${process.pid}`, ['--duration', '8s'])
    t.true(await until(() => second.log.stderr.includes('serving com.feralinteractive.GameMode'), 30_000), second.log.stderr)
    const late = spawn('gamemoded', [], { env: bus.env, stdio: 'ignore' })
    children.push(late)
    // gamemoded 1.7 asks without queueing, is refused and exits; the request is what is seen.
    t.true(await until(() => new RegExp(`conflict: (pid ${late.pid}|:[0-9.]+) also asked for com.feralinteractive.GameMode`).test(second.log.stderr), 6000), second.log.stderr)
    late.kill('SIGTERM')
    // The bus goes away under a serving run: said once, and the run goes on to its end.
    bus.stop()
    t.true(await until(() => second.log.stderr.includes('the session bus connection was lost'), 5000), second.log.stderr)
    t.is(await second.exited, 0, second.log.stderr)
  } finally {
    bus.stop()
  }
})
