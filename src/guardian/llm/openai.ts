// Any OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp's server, vLLM, hosted
// APIs): the answer is asked for as JSON in the proposal's schema (`response_format`
// json_schema, strict). The key comes from GAMESA_LLM_API_KEY, never from the command line.
// Each attempt has a timeout; a 429, a 5xx, a timeout or a broken connection is retried with
// backoff; the token budget caps what all attempts together may use.
import { GamesaError } from '../../errors.js'
import type { LlmAnswer, LlmBackend } from './types.js'

/** Options of {@link openAiBackend}. */
export interface OpenAiOptions {
  /** The API's base URL (`http://localhost:11434/v1`) or its chat-completions URL. */
  url: string
  model: string
  /** Bearer key (default: the GAMESA_LLM_API_KEY environment variable; none when unset). */
  apiKey?: string
  /** One attempt's time limit, ms (default 60000). */
  timeoutMs?: number
  /** Attempts after the first (default 2). */
  retries?: number
  /** Most tokens all attempts together may use, prompt and answer (default 8192). */
  tokenBudget?: number
  /** Most tokens one answer may take (default 1024, and never more than the budget left). */
  maxTokens?: number
  /** Wait before retry n is `backoffMs · 2^(n-1)` (default 500). */
  backoffMs?: number
}

/** The chat-completions URL of `url`. */
export function completionsUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new GamesaError('INVALID_ARGUMENT', `--llm-url: '${url}' is not a URL`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new GamesaError('INVALID_ARGUMENT', `--llm-url: '${url}' is not an http(s) URL`)
  const path = parsed.pathname.replace(/\/+$/, '')
  parsed.pathname = path.endsWith('/chat/completions') ? path : `${path}/chat/completions`
  return parsed.toString()
}

interface Completion {
  choices?: { message?: { content?: string | null }; finish_reason?: string }[]
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number }
  error?: { message?: string }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A backend on `options.url`. */
export function openAiBackend(options: OpenAiOptions): LlmBackend {
  const url = completionsUrl(options.url)
  if (typeof options.model !== 'string' || options.model === '') throw new GamesaError('INVALID_ARGUMENT', '--llm-model: give the model name the endpoint serves')
  const timeoutMs = options.timeoutMs ?? 60_000
  const retries = options.retries ?? 2
  const budget = options.tokenBudget ?? 8192
  const maxTokens = options.maxTokens ?? 1024
  const backoffMs = options.backoffMs ?? 500
  for (const [name, v, min] of [['timeoutMs', timeoutMs, 1], ['retries', retries, 0], ['tokenBudget', budget, 1], ['maxTokens', maxTokens, 1], ['backoffMs', backoffMs, 0]] as const) {
    if (!Number.isInteger(v) || v < min) throw new GamesaError('INVALID_ARGUMENT', `${name} must be a whole number >= ${min}, got ${String(v)}`)
  }
  const key = options.apiKey ?? process.env.GAMESA_LLM_API_KEY
  return async (prompt, schema): Promise<LlmAnswer> => {
    let used = 0
    let lastError = ''
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const left = budget - used
      if (left <= 0) throw new GamesaError('LLM_FAILED', `the token budget of ${budget} is spent after ${attempt - 1} attempt(s); last error: ${lastError}`)
      const body = {
        model: options.model,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        temperature: 0,
        max_tokens: Math.min(maxTokens, left),
        response_format: { type: 'json_schema', json_schema: { name: 'policy_proposal', strict: true, schema } },
      }
      const abort = new AbortController()
      const timer = setTimeout(() => abort.abort(), timeoutMs)
      let status = 0
      let payload: Completion | undefined
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify(body),
          signal: abort.signal,
        })
        status = response.status
        const text = await response.text()
        try {
          payload = JSON.parse(text) as Completion
        } catch {
          payload = { error: { message: text.slice(0, 200) } }
        }
      } catch (err) {
        lastError = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : `${err instanceof Error ? err.message : String(err)}`
      } finally {
        clearTimeout(timer)
      }
      if (payload !== undefined) {
        used += payload.usage?.total_tokens ?? (payload.usage?.prompt_tokens ?? 0) + (payload.usage?.completion_tokens ?? 0)
        const content = payload.choices?.[0]?.message?.content
        if (status >= 200 && status < 300 && typeof content === 'string') {
          return {
            text: content,
            promptTokens: payload.usage?.prompt_tokens ?? 0,
            completionTokens: payload.usage?.completion_tokens ?? 0,
            attempts: attempt,
            truncated: payload.choices?.[0]?.finish_reason === 'length',
            backend: `${url} ${options.model}`,
          }
        }
        lastError = `HTTP ${status}: ${payload.error?.message ?? 'no message content in the answer'}`
        // A client error other than rate limiting will not change on a retry.
        if (status >= 400 && status < 500 && status !== 429 && status !== 408) {
          throw new GamesaError('LLM_FAILED', `${url}: ${lastError}`)
        }
      }
      if (attempt <= retries) await sleep(backoffMs * 2 ** (attempt - 1))
    }
    throw new GamesaError('LLM_FAILED', `${url}: no answer after ${retries + 1} attempt(s): ${lastError}`)
  }
}
