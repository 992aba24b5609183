// External programs some tests drive (Debian's prometheus and promtool, PyPI's
// kubernetes-validate): found through an environment variable, else the PATH, else where
// .ci/run installs them. A test whose program is missing is skipped with a title that says
// how to install it; .ci/run installs all of them, so CI runs every one.
import { statSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** `env`'s value when set (undefined when that file is missing), else `name` in the PATH or in `extraDirs`. */
export function findTool(name: string, env: string, extraDirs: string[] = []): string | undefined {
  const fromEnv = process.env[env]
  if (fromEnv) return isFile(fromEnv) ? fromEnv : undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', ...extraDirs])) {
    if (dir && isFile(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** The folder .ci/run installs Python tools into (one venv each). */
export function ciToolsDir(): string {
  return process.env.GAMESA_CI_TOOLS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gamesa-ci')
}
