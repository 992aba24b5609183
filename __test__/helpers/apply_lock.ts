// Tests that run a `--apply` governor move every CPU-using process of the machine into their
// own cgroups (the background role is everything else). Two at once — ava runs test files in
// parallel processes — would move each other's processes, so a test's own child could land in
// the other governor's group. This lock lets one such test run at a time across test files:
// a directory made atomically (mkdir), holding the owner's pid so a lock left by a killed test
// run is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const LOCK = join(tmpdir(), 'gamesa-apply-tests.lock')

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Waits until this test holds the lock; it is released when the test ends (t.teardown). */
export async function applyLock(t: { teardown: (fn: () => void) => void }): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK)
      writeFileSync(join(LOCK, 'pid'), String(process.pid))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let owner = Number.NaN
      try {
        owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'))
      } catch {
        // Just made, its pid not written yet: wait for it.
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !alive(owner)) rmSync(LOCK, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  t.teardown(() => rmSync(LOCK, { recursive: true, force: true }))
}
