// Reads a text file line by line, synchronously, a chunk at a time: traces and decision files
// can be far larger than one string should be.
import { closeSync, openSync, readSync } from 'node:fs'

const CHUNK = 1 << 20

/** The lines of `path` (without their `\n` / `\r\n`), the last one too when it has no newline. */
export function* fileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(CHUNK)
    let rest = ''
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null)
      if (n === 0) break
      const text = rest + buffer.toString('utf8', 0, n)
      const parts = text.split('\n')
      rest = parts.pop() ?? ''
      for (const line of parts) yield line.endsWith('\r') ? line.slice(0, -1) : line
    }
    if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest
  } finally {
    closeSync(fd)
  }
}
