// The rejection corpus (__test__/corpus/rejected_proposals.json, written by
// scripts/gen-rejection-corpus.ts): malformed and harmful policy proposals, hand-written and
// fuzzed. Every one must be refused before promotion, at the step the corpus names, with a
// reason that says why. Nothing is written: the pipeline is run without a configuration file.
import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeProposal } from '../src/guardian/promotion/pipeline.ts'
import { validateProposal } from '../src/guardian/proposals/index.ts'

interface Case {
  name: string
  class: string
  step: 'validate' | 'shadow' | 'evaluate'
  reason: string
  proposal: unknown
}
const { cases } = JSON.parse(readFileSync('__test__/corpus/rejected_proposals.json', 'utf8')) as { cases: Case[] }
const ENGINE = readFileSync('samples/engine.json', 'utf8')

/** Which check of validation must refuse each class. */
const CHECK: Record<string, string> = {
  schema: 'schema',
  json: 'json',
  expression: 'compile',
  'loosen-gate': 'loosens',
  'loosen-contract': 'loosens',
  'loosen-safety': 'loosens',
  'not-applying': 'apply',
  'changes-nothing': 'apply',
  'stale-base': 'base',
}

test('the corpus holds at least 200 proposals in every class', (t) => {
  t.true(cases.length >= 200, `${cases.length}`)
  t.deepEqual([...new Set(cases.map((c) => c.class))].sort(), [...Object.keys(CHECK), 'unsafe-in-simulation'].sort())
  t.is(new Set(cases.map((c) => c.name)).size, cases.length, 'names are unique')
})

test('every proposal that validation must refuse is refused, by the right check, with its reason', (t) => {
  const escaped: string[] = []
  for (const c of cases.filter((x) => x.step === 'validate')) {
    const v = validateProposal(c.proposal, ENGINE)
    const reason = new RegExp(c.reason)
    const why = v.problems.filter((p) => p.check === CHECK[c.class] && reason.test(`${p.path} ${p.message}`))
    if (v.valid || why.length === 0) escaped.push(`${c.name}: ${v.valid ? 'accepted' : JSON.stringify(v.problems)}`)
    for (const p of v.problems) {
      t.true(p.path.startsWith('$'), c.name)
      t.true(p.message.length > 0, c.name)
    }
  }
  t.deepEqual(escaped, [])
})

test('proposals that are valid but unsafe in simulation pass validation and are refused by evaluation for a safety regression', (t) => {
  const unsafe = cases.filter((c) => c.step === 'evaluate')
  t.true(unsafe.length >= 5)
  for (const c of unsafe) {
    t.deepEqual(validateProposal(c.proposal, ENGINE).problems, [], c.name)
    const { report, proposedConfig } = judgeProposal(c.proposal, ENGINE, { scenarios: ['hot_sff_pc'], seeds: [1, 2], maxDurationS: 120, table: false })
    t.false(report.wins, c.name)
    t.is(proposedConfig, undefined, c.name)
    t.is(report.failedStep, 'evaluate', c.name)
    t.true(report.reasons.some((r) => new RegExp(c.reason).test(r.message)), `${c.name}: ${JSON.stringify(report.reasons)}`)
  }
})
