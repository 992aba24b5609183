// Reading the files a user names (configs, scenarios, rule files): only regular files, of a
// bounded size, as UTF-8 that must really be UTF-8. `/dev/zero`, a FIFO or a directory named by
// mistake is an error at once, instead of a read that never ends while memory grows.
import { type Stats, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { GamesaError } from './errors.js'

/** The largest document read whole: configurations are kilobytes; 64 MiB is far beyond any. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The text of the regular file at `path` (`what` names it in errors): `INVALID_ARGUMENT` for
 * something that is not a regular file, one larger than `maxBytes`, or bytes that are not
 * UTF-8 (with the byte offset); `IO_ERROR` when it cannot be read.
 */
export function readDocument(path: string, what: string, maxBytes = MAX_DOCUMENT_BYTES): string {
  const label = what === '' ? path : `${what} ${path}`
  let fd: number
  try {
    // Non-blocking, so opening a FIFO returns at once (and is then refused) instead of waiting
    // for a writer; it changes nothing for a regular file.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new GamesaError('IO_ERROR', `cannot read ${label}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err })
  }
  try {
    const stats = fstatSync(fd)
    refuseIrregular(stats, label)
    if (stats.size > maxBytes) {
      throw new GamesaError('INVALID_ARGUMENT', `${label} is ${stats.size} bytes, more than the ${maxBytes} a document may have`)
    }
    const bytes = Buffer.alloc(stats.size)
    let read = 0
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read)
      if (n === 0) break
      read += n
    }
    return decodeUtf8(bytes.subarray(0, read), label)
  } finally {
    closeSync(fd)
  }
}

/** `bytes` as UTF-8 text, or `INVALID_ARGUMENT` naming the first byte that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes)
  } catch {
    throw new GamesaError('INVALID_ARGUMENT', `${what} is not UTF-8 at byte ${firstInvalidUtf8(bytes)}`)
  }
}

/** The offset of the first byte that does not belong to a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (len === 0 || i + len > bytes.length) return i
    try {
      UTF8.decode(bytes.subarray(i, i + len))
    } catch {
      return i
    }
    i += len
  }
  return bytes.length
}

function refuseIrregular(stats: Stats, label: string): void {
  if (stats.isFile()) return
  const kind = stats.isDirectory() ? 'a directory' : stats.isCharacterDevice() ? 'a character device' : stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'not a regular file'
  throw new GamesaError('INVALID_ARGUMENT', `${label} is ${kind}: give a regular file`)
}

/** Whether two paths name the same existing file (same device and inode), following links. */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a)
    const y = statSync(b)
    return x.dev === y.dev && x.ino === y.ino
  } catch {
    return false
  }
}
