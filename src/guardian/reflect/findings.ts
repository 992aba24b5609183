// The top findings of a reflection, in words: safety first, then what costs reward, then what
// to look at. Deterministic: the same reflection gives the same sentences in the same order.
import type { Finding, Reflection } from './types.js'

const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3))

/** At most this many findings are reported. */
export const MAX_FINDINGS = 12

export function findings(r: Reflection): Finding[] {
  const out: Finding[] = []
  const violations = r.violations.reduce((n, c) => n + c.count, 0)
  if (violations > 0) {
    const top = r.violations[0]!
    out.push({ severity: 0, text: `${violations} contract violation${violations === 1 ? '' : 's'} over ${r.ticks} ticks; most often ${top.key} (${top.count}×)${top.example ? `: ${top.example}` : ''}.` })
  }
  if (r.emergencyTicks > 0) {
    out.push({ severity: 0, text: `The engine was in emergency mode (a safety signal active) on ${r.emergencyTicks} of ${r.ticks} ticks (${pct(r.emergencyTicks / r.ticks)}).` })
  }
  if (r.audit && !r.audit.ok) out.push({ severity: 0, text: `The audit trail ${r.audit.path} does not verify: ${r.audit.problem ?? 'broken chain'} (${r.audit.verified} of ${r.audit.records} records verified).` })
  const failures = r.actuationFailures.reduce((n, c) => n + c.count, 0)
  if (failures > 0) {
    const top = r.actuationFailures[0]!
    out.push({ severity: 1, text: `${failures} approved action${failures === 1 ? '' : 's'} failed to apply; most often ${top.key} (${top.count}×)${top.example ? `: ${top.example}` : ''}.` })
  }
  const t = r.reward
  if (t.judged === 0) {
    const why = Object.keys(t.unjudged)[0]
    out.push({ severity: 1, text: `No tick has a reward${why ? ` (${why})` : ''}: without one nothing here can say what helped. Set "reward" in the engine config.` })
  } else if (t.firstThird !== null && t.lastThird !== null) {
    const missing = Object.values(t.unjudged).reduce((n, c) => n + c, 0)
    if (missing > t.judged) {
      const [why, n] = Object.entries(t.unjudged)[0]!
      out.push({ severity: 1, text: `${missing} of ${missing + t.judged} ticks have no reward, most because ${why} (${n}×): the reward expression reads what these runs do not have.` })
    }
    const change = t.lastThird - t.firstThird
    const scale = Math.max(Math.abs(t.mean ?? 0), 1e-9)
    if (change < -0.05 * scale) out.push({ severity: 1, text: `The reward is falling: mean ${num(t.firstThird)} over the first third of the judged ticks, ${num(t.lastThird)} over the last third.` })
    else if (change > 0.05 * scale) out.push({ severity: 3, text: `The reward is rising: mean ${num(t.firstThird)} over the first third of the judged ticks, ${num(t.lastThird)} over the last third.` })
    else out.push({ severity: 3, text: `The reward is steady at a mean of ${num(t.mean as number)} over ${t.judged} judged ticks.` })
  }
  // Rules after which the reward fell most (at least 3 onsets, so one bad moment is not a pattern).
  const falling = r.rules
    .filter((x) => x.rewardDelta !== null && x.rewardDelta < 0 && x.onsets >= 3 && x.rewardBefore !== null && Math.abs(x.rewardDelta) > 0.01 * Math.max(Math.abs(x.rewardBefore), 1e-9))
    .sort((a, b) => (a.rewardDelta as number) - (b.rewardDelta as number) || (a.rule < b.rule ? -1 : 1))
    .slice(0, 3)
  for (const x of falling) {
    out.push({
      severity: 1,
      text: `The reward falls after ${x.mode} rule ${x.rule} starts firing: mean ${num(x.rewardBefore as number)} in the ${r.window} ticks before, ${num(x.rewardAfter as number)} from then on (${x.onsets} onsets).`,
    })
  }
  for (const s of r.shadow) {
    if (s.regret !== null && s.regret > 0) {
      out.push({
        severity: 2,
        text: `Shadow rule ${s.rule} agreed with the active set on ${pct(s.agreement)} of ticks; when it fired, the reward was ${num(s.regret)} higher on ticks the active set did the same (${s.firedAndActed}) than on ticks it did not (${s.firedOnly}): a candidate to test for promotion (an observational estimate).`,
      })
    } else if (s.regret !== null && s.regret < 0) {
      out.push({ severity: 3, text: `Shadow rule ${s.rule}: following it coincided with a reward ${num(-s.regret)} lower; agreement with the active set ${pct(s.agreement)}.` })
    } else {
      out.push({ severity: 3, text: `Shadow rule ${s.rule} fired on ${s.firedOnly + s.firedAndActed} ticks; the active set did the same on ${s.firedAndActed}, agreement ${pct(s.agreement)} (too little overlap to estimate regret).` })
    }
  }
  const rejected = r.rejections.reduce((n, c) => n + c.count, 0)
  if (rejected > 0) {
    const top = r.rejections[0]!
    out.push({ severity: 2, text: `The gate rejected ${rejected} action${rejected === 1 ? '' : 's'}; most for ${top.key} (${top.count}×)${top.example ? `, e.g. ${top.example}` : ''}.` })
  }
  for (const x of r.rules) {
    const proposed = x.approved + x.rejected
    if (x.mode === 'active' && proposed >= 10 && x.rejected / proposed > 0.5) {
      out.push({ severity: 2, text: `Rule ${x.rule} had ${x.rejected} of its ${proposed} actions rejected by the gate: it proposes more than the gate lets through (a cooldown or rate limit it keeps hitting).` })
    }
    if (x.mode === 'active' && x.firingRate > 0.5 && x.firings >= 20) {
      out.push({ severity: 2, text: `Active rule ${x.rule} fires on ${pct(x.firingRate)} of ticks: a condition that almost always holds may be a threshold set too low.` })
    }
  }
  if (r.audit?.ok) out.push({ severity: 3, text: `The audit trail verifies: ${r.audit.records} records, hash chain intact.` })
  return out.sort((a, b) => a.severity - b.severity).slice(0, MAX_FINDINGS)
}
