import test from 'ava'
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import {
  type AuditRecordLine,
  createDefaultChecker,
  Effect,
  EffectChecker,
  GamesaError,
  verifyAuditFile,
  verifyAuditNdjson,
} from '@gamesa/core'

/** A checker with a varied trail of 11 records (seq 0–10). */
function sampleChecker(options?: { auditPath?: string }): EffectChecker {
  const checker = new EffectChecker(options)
  checker.grant('cpu_agent', [Effect.CpuControl, Effect.TelemetryRead], { nowMs: 100 })
  checker.grant('gpu_agent', [Effect.GpuControl], { targets: ['gpu0'], expiresAtMs: 500, nowMs: 101 })
  checker.canPerform('cpu_agent', Effect.CpuControl, 'cpu.core0', 102)
  checker.canPerform('gpu_agent', Effect.GpuControl, 'gpu0', 103)
  checker.canPerform('gpu_agent', Effect.GpuControl, 'gpu1', 104)
  checker.canPerform('gpu_agent', Effect.GpuControl, 'gpu0', 600)
  checker.revoke('cpu_agent', Effect.TelemetryRead, 700)
  checker.check('intruder', Effect.PolicyWrite, 'grants', 701)
  checker.check('cpu_agent', Effect.TelemetryRead, undefined, 702)
  checker.check('ünïcode "agent"', Effect.AuditRead, undefined, 703)
  return checker
}

const toText = (lines: string[]): string => lines.map((l) => `${l}\n`).join('')
const linesOf = (text: string): string[] => text.split('\n').slice(0, -1)

test('an exported trail verifies, and each record is SHA-256 of its canonical body', (t) => {
  const checker = sampleChecker()
  t.is(checker.auditLength, 11)
  const text = checker.exportAuditNdjson()
  const report = verifyAuditNdjson(text, { end: checker.auditAnchor() })
  t.like(report, { ok: true, records: 11, verified: 11 })
  t.is(report.headHash, checker.auditAnchor().headHash)
  t.true(checker.verifyAudit().ok)

  // The documented encoding, recomputed independently with node:crypto.
  let prev = '0'.repeat(64)
  for (const [i, line] of linesOf(text).entries()) {
    const r = JSON.parse(line) as AuditRecordLine
    const { hash, ...body } = r
    t.deepEqual(Object.keys(body), ['seq', 'time_ms', 'agent', 'decision', 'effect', 'target', 'reason', 'prev_hash'])
    t.is(line, JSON.stringify({ ...body, hash }))
    t.is(r.seq, i)
    t.is(r.prev_hash, prev)
    t.is(hash, createHash('sha256').update(JSON.stringify(body)).digest('hex'))
    prev = hash
  }
  // Records as objects carry the same fields.
  const recs = checker.auditRecords(2, 4)
  t.deepEqual(recs.map((r) => r.seq), [2, 3])
  t.like(recs[1], { decision: 'allowed', effect: Effect.CpuControl, target: 'cpu.core0', timeMs: 102 })
})

test('verify catches an altered record', (t) => {
  const lines = linesOf(sampleChecker().exportAuditNdjson())
  t.true(lines[8]!.includes('"decision":"denied"'))
  lines[8] = lines[8]!.replace('"decision":"denied"', '"decision":"allowed"')
  t.like(verifyAuditNdjson(toText(lines)), { ok: false, firstBadSeq: 8, line: 9, verified: 8 })
  t.regex(verifyAuditNdjson(toText(lines)).reason!, /altered/)
})

test('verify catches a removed record', (t) => {
  const lines = linesOf(sampleChecker().exportAuditNdjson())
  lines.splice(4, 1)
  t.like(verifyAuditNdjson(toText(lines)), { ok: false, firstBadSeq: 4, line: 5 })
})

test('verify catches an inserted record, even one with a correct hash of its own', (t) => {
  const lines = linesOf(sampleChecker().exportAuditNdjson())
  const forged = JSON.parse(lines[5]!) as AuditRecordLine
  const { hash: _drop, ...body } = { ...forged, agent: 'forger', decision: 'allowed' as const }
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex')
  lines.splice(5, 0, JSON.stringify({ ...body, hash }))
  const report = verifyAuditNdjson(toText(lines))
  t.like(report, { ok: false, firstBadSeq: 6, line: 7 })
  t.regex(report.reason!, /seq is 5/)
})

test('verify catches reordered records', (t) => {
  const lines = linesOf(sampleChecker().exportAuditNdjson())
  ;[lines[8], lines[9]] = [lines[9]!, lines[8]!]
  t.like(verifyAuditNdjson(toText(lines)), { ok: false, firstBadSeq: 8, line: 9 })
})

test('a cut-off end is caught against an anchor kept elsewhere', (t) => {
  const checker = sampleChecker()
  const anchor = checker.auditAnchor()
  t.is(anchor.length, 11)
  const lines = linesOf(checker.exportAuditNdjson()).slice(0, 9)
  t.true(verifyAuditNdjson(toText(lines)).ok, 'a bare chain cannot see truncation')
  const report = verifyAuditNdjson(toText(lines), { end: anchor })
  t.like(report, { ok: false, firstBadSeq: 9 })
  t.regex(report.reason!, /anchor says 11/)
})

test('a torn last line of exported text is reported', (t) => {
  const text = sampleChecker().exportAuditNdjson()
  const report = verifyAuditNdjson(text.slice(0, -15))
  t.false(report.ok)
  t.like(report, { verified: 10, firstBadSeq: 10, line: 11 })
  t.is(report.tornTail!.line, 11)
  t.is(report.tornTail!.content, text.slice(report.tornTail!.byteOffset, -15))
})

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-audit-'))
  try {
    fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a file-backed trail is written as it grows and survives a reopen', (t) => {
  withDir((dir) => {
    const path = join(dir, 'audit.ndjson')
    let checker: EffectChecker | undefined = sampleChecker({ auditPath: path })
    t.like(checker.openReport, { path, created: true, records: 0 })
    t.is(readFileSync(path, 'utf8'), checker.exportAuditNdjson())
    const head = checker.auditAnchor().headHash
    // One writer at a time: the file is closed (and its lock released) before it is reopened.
    checker.close()
    t.is((t.throws(() => checker!.check('cpu_agent', Effect.CpuControl, undefined, 999)) as GamesaError).code, 'IO_ERROR')
    checker = undefined

    const reopened = createDefaultChecker({ auditPath: path, nowMs: 1000 })
    t.like(reopened.openReport, { created: false, records: 11, headHash: head })
    t.is(reopened.auditLength, 11 + 11)
    t.is(reopened.auditRecords(11, 12)[0]!.prevHash, head)
    t.true(reopened.canPerform('power_agent', Effect.PowerControl, 'pl1', 1001))
    t.true(reopened.verifyAudit().ok)
    t.like(verifyAuditFile(path), { ok: true, records: 23 })
    t.is(readFileSync(path, 'utf8'), reopened.exportAuditNdjson())
  })
})

test('a tampered file is refused with AUDIT_CORRUPT naming the line', (t) => {
  withDir((dir) => {
    const path = join(dir, 'audit.ndjson')
    sampleChecker({ auditPath: path }).close()
    const lines = linesOf(readFileSync(path, 'utf8'))
    lines[3] = lines[3]!.replace('"time_ms":102', '"time_ms":103')
    writeFileSync(path, toText(lines))
    const err = t.throws(() => new EffectChecker({ auditPath: path }))
    t.true(err instanceof GamesaError)
    t.is((err as GamesaError).code, 'AUDIT_CORRUPT')
    t.regex(err!.message, /line 4/)
    t.true(err!.message.includes(path))
    t.like(verifyAuditFile(path), { ok: false, firstBadSeq: 3, line: 4 })
  })
})

test('a torn tail is reported: refused by default, cut off and handed back on request', (t) => {
  withDir((dir) => {
    const path = join(dir, 'audit.ndjson')
    sampleChecker({ auditPath: path }).close()
    const size = statSync(path).size
    truncateSync(path, size - 40)
    const torn = readFileSync(path, 'utf8').split('\n').at(-1)!

    const err = t.throws(() => new EffectChecker({ auditPath: path }))
    t.is((err as GamesaError).code, 'AUDIT_CORRUPT')
    t.regex(err!.message, /torn line 11/)
    t.is(statSync(path).size, size - 40, 'a refused open leaves the file as it was')
    t.like(verifyAuditFile(path), { ok: false, verified: 10, tornTail: { line: 11, content: torn } })

    const repaired = new EffectChecker({ auditPath: path, repairTornTail: true })
    t.like(repaired.openReport, { records: 10, tornTail: { line: 11, content: torn } })
    repaired.check('cpu_agent', Effect.CpuControl, undefined, 800)
    t.like(verifyAuditFile(path), { ok: true, records: 11 })
  })
})

test('an unreadable audit path is IO_ERROR with the path', (t) => {
  withDir((dir) => {
    const path = join(dir, 'missing-dir', 'audit.ndjson')
    const err = t.throws(() => new EffectChecker({ auditPath: path }))
    t.true(err instanceof GamesaError)
    t.is((err as GamesaError).code, 'IO_ERROR')
    t.true(err!.message.includes(path))
    t.is((t.throws(() => verifyAuditFile(path)) as GamesaError).code, 'IO_ERROR')
  })
})

test('keepInMemory bounds memory; the export verifies from auditBase(), the file keeps all', (t) => {
  withDir((dir) => {
    const path = join(dir, 'audit.ndjson')
    const bounded = new EffectChecker({ keepInMemory: 5 })
    const filed = new EffectChecker({ auditPath: path, keepInMemory: 5 })
    for (let i = 0; i < 40; i++) {
      bounded.canPerform('cpu_agent', Effect.CpuControl, null, i)
      filed.canPerform('cpu_agent', Effect.CpuControl, null, i)
    }
    t.is(bounded.auditLength, 40)
    const kept = bounded.auditRecords()
    t.true(kept.length >= 5 && kept.length <= 10, `${kept.length}`)
    t.is(kept.at(-1)!.seq, 39)
    const base = bounded.auditBase()
    t.deepEqual(base, { length: kept[0]!.seq, headHash: kept[0]!.prevHash })
    const text = bounded.exportAuditNdjson()
    t.like(verifyAuditNdjson(text), { ok: false, firstBadSeq: 0 })
    t.like(verifyAuditNdjson(text, { start: base, end: bounded.auditAnchor() }), { ok: true })
    t.deepEqual(filed.auditAnchor(), bounded.auditAnchor())
    t.like(verifyAuditFile(path), { ok: true, records: 40, headHash: bounded.auditAnchor().headHash })
  })
})

test('a second writer of one audit file is refused with AUDIT_LOCKED until the first closes', (t) => {
  withDir((dir) => {
    const path = join(dir, 'audit.ndjson')
    const first = sampleChecker({ auditPath: path })
    const err = t.throws(() => new EffectChecker({ auditPath: path })) as GamesaError
    t.is(err.code, 'AUDIT_LOCKED')
    t.true(err.message.includes(path))
    first.check('cpu_agent', Effect.CpuControl, undefined, 900)
    first.close()
    const second = new EffectChecker({ auditPath: path })
    second.check('cpu_agent', Effect.CpuControl, undefined, 901)
    second.close()
    t.like(verifyAuditFile(path), { ok: true, records: 13 })
  })
})

test('verifyAuditFile refuses a device at once instead of reading it forever', (t) => {
  const started = Date.now()
  const err = t.throws(() => verifyAuditFile('/dev/zero')) as Error & { code?: string }
  t.is(err.code, 'IO_ERROR')
  t.regex(err.message, /character device, not a regular file/)
  t.true(Date.now() - started < 5000)
})
