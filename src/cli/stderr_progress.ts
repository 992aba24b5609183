// Progress for long runs on standard error: one line rewritten in place, only when standard
// error is a terminal and --quiet was not given (scripts and CI logs stay clean).
export class StderrProgress {
  private lastMs = 0
  private readonly on: boolean

  constructor(quiet: boolean) {
    this.on = !quiet && process.stderr.isTTY === true
  }

  update(line: string, force = false): void {
    if (!this.on) return
    const now = Date.now()
    if (!force && now - this.lastMs < 200) return
    this.lastMs = now
    process.stderr.write(`\r\x1b[K${line}`)
  }

  done(): void {
    if (this.on) process.stderr.write('\r\x1b[K')
  }
}
