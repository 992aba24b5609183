// `npm run demo` runs examples/cross_forex_demo.ts: keep it working on whatever machine runs the
// tests (its capacities come from this machine's core count).
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

test('the demo runs on this machine and its --json output is consistent', (t) => {
  const out = execFileSync(
    process.execPath,
    ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'examples/cross_forex_demo.ts', '--json'],
    { encoding: 'utf8' },
  )
  const report = JSON.parse(out)
  t.is(report.machine.cores, availableParallelism())
  t.is(report.stats.cpu_cores.capacity, availableParallelism())
  // The indexer's thermal lease is the lowest priority: the shrink preempts it.
  t.deepEqual(report.preempted, ['indexer-heat'])
  // Weighted power shares never exceed the pool.
  t.true(report.stats.power_budget.used <= report.stats.power_budget.capacity)
  // Signals come out domain first: thermal before performance before efficiency.
  const domains: string[] = report.signals.map((s: { domain: string }) => s.domain)
  t.deepEqual(domains, [...domains].sort((a, b) => rank(a) - rank(b)))
  t.true(report.audit.ok)
  t.true(report.decisions.some((d: { allowed: boolean }) => d.allowed))
  t.true(report.decisions.some((d: { allowed: boolean }) => !d.allowed))
})

function rank(domain: string): number {
  return ['safety', 'thermal', 'power', 'performance', 'efficiency', 'maintenance'].indexOf(domain)
}
