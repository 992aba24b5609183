// Applies a proposal's diffs, in order, to a copy of the active engine configuration. Each
// diff must find what it changes (a rule, an agent's bid, a gate kind); what it cannot apply is
// a problem at the diff's JSON path. The result is the configuration the proposal would make
// active, plus where each changed part of it came from, so that a problem the native core finds
// in the result (an expression that does not compile) is reported at the proposal's own path.
import type { RuleDiff } from './schema.js'

/** A problem of a proposal: its JSON path in the proposal, a message, and where it is inside an expression. */
export interface ProposalProblem {
  path: string
  message: string
  line?: number
  column?: number
  /** Which check found it. */
  check: 'json' | 'schema' | 'base' | 'apply' | 'compile' | 'loosens'
}

/** Where a part of the proposed configuration came from: config path prefix → proposal path prefix. */
export interface Provenance {
  configPath: string
  proposalPath: string
}

/** What applying gives: the proposed configuration (a fresh object) and its provenance. */
export interface Applied {
  config: Record<string, unknown>
  provenance: Provenance[]
  problems: ProposalProblem[]
}

type Json = Record<string, unknown>

const clone = <T>(value: T): T => structuredClone(value)

/** Sets each key of `fields` on `target`; `null` removes the key (an optional field left out). */
function assignFields(target: Json, fields: Json): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) delete target[key]
    else target[key] = clone(value)
  }
}

function rulesOf(config: Json): Json[] {
  if (!Array.isArray(config.rules)) config.rules = []
  return config.rules as Json[]
}

/** Applies `change` to a copy of `active`. */
export function applyChange(active: Json, change: readonly RuleDiff[]): Applied {
  const config = clone(active)
  const problems: ProposalProblem[] = []
  const origin = new Map<string, string>() // a stable key of a changed part → proposal path
  const problem = (i: number, message: string, at = '') => problems.push({ path: `$.change[${i}]${at}`, message, check: 'apply' })

  change.forEach((diff, i) => {
    const at = `$.change[${i}]`
    switch (diff.op) {
      case 'add_rule': {
        const rules = rulesOf(config)
        if (rules.some((r) => r.id === diff.rule.id)) return problem(i, `a rule \`${diff.rule.id}\` already exists`, '.rule.id')
        rules.push(clone(diff.rule) as Json)
        origin.set(`rule:${diff.rule.id}`, `${at}.rule`)
        return
      }
      case 'remove_rule': {
        const rules = rulesOf(config)
        const index = rules.findIndex((r) => r.id === diff.ruleId)
        if (index < 0) return problem(i, `no rule \`${diff.ruleId}\` to remove`, '.ruleId')
        rules.splice(index, 1)
        return
      }
      case 'modify_rule': {
        const rule = rulesOf(config).find((r) => r.id === diff.ruleId)
        if (!rule) return problem(i, `no rule \`${diff.ruleId}\` to modify`, '.ruleId')
        if (Object.keys(diff.set).length === 0) return problem(i, 'sets no field', '.set')
        assignFields(rule, diff.set as Json)
        origin.set(`rule:${diff.ruleId}`, `${at}.set`)
        return
      }
      case 'set_bid': {
        const agents = Array.isArray(config.agents) ? (config.agents as Json[]) : []
        const agent = agents.find((a) => a.id === diff.agent)
        if (!agent) return problem(i, `no agent \`${diff.agent}\``, '.agent')
        const bids = Array.isArray(agent.bids) ? (agent.bids as Json[]) : []
        const bid = bids[diff.bid]
        if (!bid) return problem(i, `agent \`${diff.agent}\` has ${bids.length} bid(s); there is no bid ${diff.bid}`, '.bid')
        if (diff.amount === undefined && diff.maxUnitPrice === undefined) return problem(i, 'sets neither amount nor maxUnitPrice')
        if (diff.amount !== undefined) bid.amount = diff.amount
        if (diff.maxUnitPrice !== undefined) bid.maxUnitPrice = diff.maxUnitPrice
        origin.set(`bid:${diff.agent}:${diff.bid}`, at)
        return
      }
      case 'set_gate': {
        const gate = (config.gate ??= {}) as Json
        const actions = (gate.actions ??= {}) as Json
        if (Object.keys(diff.set).length === 0) return problem(i, 'sets no field', '.set')
        const existing = actions[diff.kind] as Json | undefined
        const kind = existing ?? {}
        assignFields(kind, diff.set as Json)
        actions[diff.kind] = kind
        origin.set(`gate:${diff.kind}`, `${at}.set`)
        return
      }
      case 'set_contract': {
        if (!Array.isArray(config.contracts)) config.contracts = []
        const contracts = config.contracts as Json[]
        const index = contracts.findIndex((c) => c.name === diff.contract.name)
        if (index >= 0) contracts[index] = clone(diff.contract) as Json
        else contracts.push(clone(diff.contract) as Json)
        origin.set(`contract:${diff.contract.name}`, `${at}.contract`)
        return
      }
    }
  })

  return { config, provenance: provenanceOf(config, origin), problems }
}

/** The config paths of the changed parts, now that their final positions are known. */
function provenanceOf(config: Json, origin: Map<string, string>): Provenance[] {
  const out: Provenance[] = []
  const rules = Array.isArray(config.rules) ? (config.rules as Json[]) : []
  rules.forEach((r, i) => {
    const from = origin.get(`rule:${String(r.id)}`)
    if (from) out.push({ configPath: `$.rules[${i}]`, proposalPath: from })
  })
  const agents = Array.isArray(config.agents) ? (config.agents as Json[]) : []
  agents.forEach((a, i) => {
    const bids = Array.isArray(a.bids) ? a.bids : []
    bids.forEach((_b, j) => {
      const from = origin.get(`bid:${String(a.id)}:${j}`)
      if (from) out.push({ configPath: `$.agents[${i}].bids[${j}]`, proposalPath: from })
    })
  })
  const actions = ((config.gate as Json | undefined)?.actions ?? {}) as Json
  for (const kind of Object.keys(actions)) {
    const from = origin.get(`gate:${kind}`)
    if (from) out.push({ configPath: `$.gate.actions.${kind}`, proposalPath: from })
  }
  const contracts = Array.isArray(config.contracts) ? (config.contracts as Json[]) : []
  contracts.forEach((c, i) => {
    const from = origin.get(`contract:${String(c.name)}`)
    if (from) out.push({ configPath: `$.contracts[${i}]`, proposalPath: from })
  })
  return out
}

/**
 * The proposal path of a problem the core found at `configPath` in the proposed configuration:
 * the diff that wrote that part (`$.rules[3].when` → `$.change[0].rule.when`), or, when no diff
 * wrote it, null (a problem the change caused elsewhere, such as a gate naming a removed contract).
 */
export function proposalPathOf(configPath: string, provenance: readonly Provenance[]): string | null {
  for (const { configPath: prefix, proposalPath } of provenance) {
    if (configPath === prefix) return proposalPath
    if (configPath.startsWith(prefix) && /^[.[]/.test(configPath.slice(prefix.length))) {
      return proposalPath + configPath.slice(prefix.length)
    }
  }
  return null
}
