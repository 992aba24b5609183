// deploy/kubernetes/ against the Kubernetes schemas (PyPI's kubernetes-validate, strict: an
// unknown field is an error), and what the manifests must say beyond the schema: host access
// only as far as the actuators need, the ConfigMap's engine configuration and workloads valid
// for this package, the scrape annotations matching the port the run listens on. Also the
// Dockerfile's shape (building it needs a container engine; see docs/fleet.md).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkEngineConfig } from '../src/engine.js'
import { LiveWorkloads, type WorkloadsConfig } from '../src/workloads.js'
import { ciToolsDir, findTool } from './helpers/tools.js'

const DIR = join('deploy', 'kubernetes')
const manifests = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(DIR, f))
const validate = findTool('kubernetes-validate', 'GAMESA_KUBERNETES_VALIDATE', [join(ciToolsDir(), 'kubernetes-validate', 'bin')])
const why = validate ? '' : ' (SKIPPED: no kubernetes-validate — `pip install kubernetes-validate==1.37.0` in a venv, or set GAMESA_KUBERNETES_VALIDATE; .ci/run installs it)'
const withValidate = validate ? test : test.skip
const work = mkdtempSync(join(tmpdir(), 'gamesa-k8s-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

function runValidate(files: string[]) {
  return spawnSync(validate!, ['--strict', '--kubernetes-version', '1.37.0', ...files], { encoding: 'utf8', timeout: 120_000 })
}

/**
 * The manifests as objects, read by the Python that runs kubernetes-validate (its PyYAML), so
 * the test needs no YAML parser of its own.
 */
function load(): Record<string, any>[] {
  const python = readFileSync(validate!, 'utf8').split('\n')[0]!.replace(/^#!\s*/, '').trim()
  const r = spawnSync(python, ['-c', 'import json, sys, yaml; print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]))', ...manifests], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`reading the manifests: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, any>[]
}

withValidate(`every manifest passes kubernetes-validate --strict against Kubernetes 1.37${why}`, (t) => {
  t.true(manifests.length >= 3, manifests.join(', '))
  const r = runValidate(manifests)
  t.is(r.status, 0, `${r.stdout}${r.stderr}`)
  for (const f of manifests) t.regex(`${r.stdout}${r.stderr}`, new RegExp(`${f.replaceAll('.', '\\.')} passed`), f)
  // The validator does reject: a misspelled field and a wrongly typed one.
  const daemonset = readFileSync(join(DIR, 'daemonset.yaml'), 'utf8')
  const bad = join(work, 'bad.yaml')
  writeFileSync(bad, daemonset.replace('hostPID: true', 'hostPid: true'))
  t.not(runValidate([bad]).status, 0, 'hostPid (a typo) is refused')
  writeFileSync(bad, daemonset.replace('containerPort: 9464', 'containerPort: "metrics"'))
  t.not(runValidate([bad]).status, 0, 'a string port is refused')
})

withValidate(`the DaemonSet takes only the host access the actuators need, and its scrape annotations match the endpoint${why}`, (t) => {
  const docs = load()
  const ds = docs.find((d) => d.kind === 'DaemonSet')!
  const ns = docs.find((d) => d.kind === 'Namespace')!
  t.is(ds.metadata.namespace, ns.metadata.name)
  const pod = ds.spec.template.spec
  t.true(pod.hostPID, 'hostPID: the live workloads are the node’s processes')
  t.falsy(pod.hostNetwork, 'no host network: the endpoint is on the pod’s address')
  t.falsy(pod.hostIPC)
  t.is(pod.containers.length, 1)
  const c = pod.containers[0]
  const sc = c.securityContext
  t.false(sc.privileged)
  t.false(sc.allowPrivilegeEscalation)
  t.true(sc.readOnlyRootFilesystem)
  t.deepEqual(sc.capabilities.drop, ['ALL'])
  // The systemd unit's set (packaging/gamesa.service): no more than it.
  const unitCaps = /^CapabilityBoundingSet=(.*)$/m.exec(readFileSync(join('packaging', 'gamesa.service'), 'utf8'))![1]!.split(/\s+/).map((c) => c.replace(/^CAP_/, ''))
  t.deepEqual([...sc.capabilities.add].sort(), unitCaps.sort())
  t.deepEqual([...sc.capabilities.add].sort(), ['DAC_OVERRIDE', 'SYS_ADMIN', 'SYS_NICE'])
  const volume = (mountPath: string) => {
    const m = c.volumeMounts.find((v: any) => v.mountPath === mountPath)
    return m && { mount: m, source: pod.volumes.find((v: any) => v.name === m.name) }
  }
  const cgroup = volume('/sys/fs/cgroup')
  t.is(cgroup?.source.hostPath.path, '/sys/fs/cgroup')
  t.falsy(cgroup?.mount.readOnly, 'the governor writes its groups')
  t.is(volume('/var/lib/gamesa')?.source.hostPath.path, '/var/lib/gamesa', 'the journal outlives a killed pod')
  const config = volume('/etc/gamesa')
  t.true(config?.mount.readOnly)
  const cm = docs.find((d) => d.kind === 'ConfigMap')!
  t.is(config?.source.configMap.name, cm.metadata.name)
  // The command: an applying run with the ConfigMap's files, metrics on the pod's address.
  const command = [...c.command, ...c.args].join(' ')
  t.regex(command, /gamesa run --apply/)
  t.regex(command, /--config \/etc\/gamesa\/engine\.json/)
  t.regex(command, /--workloads \/etc\/gamesa\/workloads\.json/)
  const port = /--metrics 0\.0\.0\.0:(\d+)/.exec(command)?.[1]
  t.truthy(port, 'listens on the pod address (explicitly: the default is loopback)')
  const annotations = ds.spec.template.metadata.annotations
  t.is(annotations['prometheus.io/scrape'], 'true')
  t.is(annotations['prometheus.io/port'], port)
  t.is(annotations['prometheus.io/path'], '/metrics')
  t.is(c.ports.find((p: any) => p.name === 'metrics')?.containerPort, Number(port))
  t.is(c.livenessProbe.httpGet.path, '/metrics')
})

withValidate(`the ConfigMap's engine configuration and workloads are valid for this package${why}`, (t) => {
  const cm = load().find((d) => d.kind === 'ConfigMap')!
  t.deepEqual(checkEngineConfig(cm.data['engine.json']), [])
  const workloads = JSON.parse(cm.data['workloads.json']) as WorkloadsConfig
  t.true(workloads.workloads?.some((w) => w.priority === true), 'a priority workload')
  // Opening them (dry run) checks every selector the way `gamesa run --workloads` does.
  const live = new LiveWorkloads(workloads, { apply: false })
  live.close()
  t.pass()
})

test('the Dockerfile builds in one stage and installs the packed package in a slim one', (t) => {
  const text = readFileSync('Dockerfile', 'utf8')
  const stages = [...text.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\w+))?/gim)].map((m) => ({ image: m[1]!, name: m[2] }))
  t.is(stages.length, 2, 'multi-stage: build and runtime')
  t.regex(stages[1]!.image, /-slim$/)
  const runtime = text.slice(text.lastIndexOf('FROM '))
  t.regex(runtime, /COPY --from=build \/out\/\*\.tgz/)
  t.regex(runtime, /npm install -g [^\n]*\.tgz/)
  t.notRegex(runtime, /COPY \. /, 'no sources in the runtime image')
  t.regex(text, /npm pack --ignore-scripts/)
  t.regex(readFileSync('.dockerignore', 'utf8'), /^node_modules$/m)
})
