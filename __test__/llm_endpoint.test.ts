// The OpenAI-compatible client of `gamesa reflect --llm`: what it sends (the schema as
// response_format, the key from GAMESA_LLM_API_KEY, temperature 0, max_tokens within the
// budget) and how it behaves when the endpoint misbehaves: a 5xx or 429 is retried with
// backoff, a timeout is retried, a 4xx is not, the token budget stops retries, and every
// failure is LLM_FAILED with the reason; the command still prints its report first. The endpoint here is a local HTTP server that
// answers the way a server does; the model itself is exercised for real in llm_local.test.ts.
import test from 'ava'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@gamesa/core'
import { openAiBackend, completionsUrl, llmProposalSchema } from '../src/guardian/llm/index.js'

type Handler = (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse, n: number) => void

async function serve(handler: Handler): Promise<{ url: string; requests: Record<string, unknown>[]; headers: IncomingMessage['headers'][]; close: () => Promise<void> }> {
  const requests: Record<string, unknown>[] = []
  const headers: IncomingMessage['headers'][] = []
  const server = createServer((req, res) => {
    let data = ''
    req.on('data', (d: Buffer) => (data += d.toString()))
    req.on('end', () => {
      const body = JSON.parse(data) as Record<string, unknown>
      requests.push(body)
      headers.push(req.headers)
      handler(body, req, res, requests.length)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const answer = (res: ServerResponse, content: string, tokens = 100) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ choices: [{ message: { content }, finish_reason: 'stop' }], usage: { prompt_tokens: tokens - 10, completion_tokens: 10, total_tokens: tokens } }))
}
const fail = (res: ServerResponse, status: number) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error: { message: `status ${status}` } }))
}
const PROMPT = { system: 'answer with JSON', user: 'the report' }

test('the request: schema as response_format, key, temperature 0, max_tokens; the URL is completed', async (t) => {
  const s = await serve((_b, _q, res) => answer(res, '{"id":"x"}'))
  process.env.GAMESA_LLM_API_KEY = 'secret-key'
  try {
    const a = await openAiBackend({ url: s.url, model: 'tiny', maxTokens: 300 })(PROMPT, llmProposalSchema())
    t.is(a.text, '{"id":"x"}')
    t.is(a.attempts, 1)
    const body = s.requests[0]!
    t.is(body.model, 'tiny')
    t.is(body.temperature, 0)
    t.is(body.max_tokens, 300)
    t.deepEqual((body.response_format as { json_schema: { schema: unknown } }).json_schema.schema, llmProposalSchema())
    t.is(s.headers[0]!.authorization, 'Bearer secret-key')
  } finally {
    delete process.env.GAMESA_LLM_API_KEY
    await s.close()
  }
  t.is(completionsUrl('http://h:1/v1/'), 'http://h:1/v1/chat/completions')
  t.is(completionsUrl('http://h:1/v1/chat/completions'), 'http://h:1/v1/chat/completions')
  t.throws(() => completionsUrl('ftp://h/'), { code: 'INVALID_ARGUMENT' } as never)
})

test('5xx and 429 are retried with backoff; a 4xx is not', async (t) => {
  const s = await serve((_b, _q, res, n) => (n === 1 ? fail(res, 503) : n === 2 ? fail(res, 429) : answer(res, '{}')))
  const a = await openAiBackend({ url: s.url, model: 'm', retries: 2, backoffMs: 10 })(PROMPT, {})
  t.is(a.attempts, 3)
  await s.close()
  const bad = await serve((_b, _q, res) => fail(res, 400))
  const e = await t.throwsAsync(openAiBackend({ url: bad.url, model: 'm', retries: 3, backoffMs: 1 })(PROMPT, {}))
  t.is((e as { code?: string }).code, 'LLM_FAILED')
  t.regex(e!.message, /HTTP 400/)
  t.is(bad.requests.length, 1)
  await bad.close()
})

test('a timeout is retried, then LLM_FAILED names it', async (t) => {
  const s = await serve(() => {
    // Never answers.
  })
  const started = Date.now()
  const e = await t.throwsAsync(openAiBackend({ url: s.url, model: 'm', timeoutMs: 1000, retries: 1, backoffMs: 1 })(PROMPT, {}))
  t.is((e as { code?: string }).code, 'LLM_FAILED')
  t.regex(e!.message, /no answer after 2 attempt\(s\): no answer within 1000 ms/)
  // The first attempt may time out before its connection is even open on a loaded machine.
  t.true(s.requests.length >= 1)
  t.true(Date.now() - started < 10_000)
  await s.close()
})

test('the token budget caps max_tokens and stops retries once spent', async (t) => {
  const s = await serve((_b, _q, res) => {
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { message: 'overloaded' }, usage: { total_tokens: 700 } }))
  })
  const e = await t.throwsAsync(openAiBackend({ url: s.url, model: 'm', retries: 5, backoffMs: 1, tokenBudget: 1000, maxTokens: 900 })(PROMPT, {}))
  t.regex(e!.message, /token budget of 1000 is spent after 2 attempt/)
  t.is(s.requests[0]!.max_tokens, 900)
  t.is(s.requests[1]!.max_tokens, 300)
  await s.close()
  t.throws(() => openAiBackend({ url: 'http://127.0.0.1:1/v1', model: '' }), { code: 'INVALID_ARGUMENT' } as never)
})

test('gamesa reflect --llm: usage errors, and an endpoint that fails is LLM_FAILED (exit 1) after the report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-reflect-llm-'))
  try {
    const store = join(dir, 'exp.db')
    const writer = core.ExperienceWriter.open(store)
    core.recordBacktest(writer, 'heat_soak', readFileSync('samples/engine.json', 'utf8'))
    writer.close()
    const gamesa = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts', ...args])
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('exit', (code) => resolve({ code, stdout, stderr }))
      })
    t.is((await gamesa(['reflect', '--experience', store, '--llm'])).code, 2)
    t.is((await gamesa(['reflect', '--experience', store, '--llm-url', 'http://127.0.0.1:1/v1'])).code, 2)
    t.is((await gamesa(['reflect', '--experience', store, '--llm', '--llm-model-file', 'x.gguf', '--llm-url', 'http://127.0.0.1:1/v1'])).code, 2)
    const s = await serve((_b, _q, res) => fail(res, 503))
    const r = await gamesa(['reflect', '--experience', store, '--llm', '--llm-url', s.url, '--llm-model', 'm', '--llm-retries', '1', '--llm-timeout', '5s'])
    await s.close()
    t.is(r.code, 1, r.stderr)
    t.regex(r.stdout, /top findings/)
    t.regex(r.stderr, /LLM_FAILED: .*no answer after 2 attempt\(s\): HTTP 503/)
    t.is(s.requests.length, 2)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
