// Where this machine's CPU controller is, and which group a process is in: what the tests of
// live workloads (--apply, GameMode) read to check a governor's moves.
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** This machine's cgroup mounts (`/proc/self/mountinfo`): v1 (`cgroup`) and v2 (`cgroup2`). */
function cgroupMounts(): Array<{ mount: string; fstype: string; opts: string }> {
  const mounts = []
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ')
    if (!pre || !post) continue
    const [fstype = '', , opts = ''] = post.split(' ')
    if (fstype === 'cgroup' || fstype === 'cgroup2') mounts.push({ mount: pre.split(' ')[4] as string, fstype, opts })
  }
  return mounts
}

/** The v1 `cpu` mount or the v2 mount offering `cpu`, if writable here. */
export function cpuHierarchy(): { mount: string; v1: boolean } | undefined {
  for (const { mount, fstype, opts } of cgroupMounts()) {
    if (fstype === 'cgroup2' && existsSync(join(mount, 'cgroup.controllers')) && readFileSync(join(mount, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) return { mount, v1: false }
    if (fstype === 'cgroup' && opts.split(',').includes('cpu') && !opts.split(',').includes('ro')) return { mount, v1: true }
  }
  return undefined
}

/** The group `pid` is in on that hierarchy (`/proc/PID/cgroup`); undefined once it has exited. */
export function groupOf(pid: number, v1: boolean): string | undefined {
  try {
    for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
      const [id, ctrls, path] = line.split(':')
      if (v1 ? (ctrls ?? '').split(',').includes('cpu') : id === '0' && ctrls === '') return path
    }
  } catch {
    return undefined
  }
  return undefined
}

/**
 * Removes the empty groups a test's governors left under `subtree` in every cgroup hierarchy
 * (a governor killed before it restored leaves its groups; restore removes them only once
 * empty). A group that still holds a process stays, and the rmdir's error is ignored.
 */
export function removeEmptyGroups(subtree: string): void {
  for (const { mount } of cgroupMounts()) removeTree(join(mount, subtree))
}

function removeTree(dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeTree(join(dir, entry.name))
    rmdirSync(dir)
  } catch {
    // absent, or not empty: nothing to do
  }
}
