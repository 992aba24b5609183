// A local GGUF model, in-process, through node-llama-cpp (an optional dependency): the answer
// is constrained by a grammar made from the JSON Schema, so it is always JSON of the right
// shape (until the token budget cuts it short). CPU only, always 2 threads: on a small machine
// the default thread count is about 100× slower.
import { existsSync } from 'node:fs'
import { GamesaError } from '../../errors.js'
import type { LlmAnswer, LlmBackend } from './types.js'

/** Options of {@link localModelBackend}. */
export interface LocalModelOptions {
  /** The GGUF file. */
  modelFile: string
  /** Most tokens the answer may take (default 1024). */
  maxTokens?: number
  /** Context size in tokens (default 4096). */
  contextSize?: number
  /** Give up after this long, ms (default 600000). */
  timeoutMs?: number
}

/** The few node-llama-cpp calls used here (it is an optional ES module: imported when needed, typed by hand). */
interface NodeLlamaCpp {
  getLlama(options: { gpu: false; logLevel?: string }): Promise<Llama>
  LlamaChatSession: new (options: { contextSequence: unknown; systemPrompt?: string }) => {
    prompt(text: string, options: { grammar?: unknown; maxTokens?: number; temperature?: number; signal?: AbortSignal; onToken?: (tokens: unknown[]) => void }): Promise<string>
  }
}
interface Llama {
  loadModel(options: { modelPath: string }): Promise<Model>
  createGrammarForJsonSchema(schema: unknown): Promise<unknown>
  dispose(): Promise<void>
}
interface Model {
  createContext(options: { threads: number; contextSize: number }): Promise<{ getSequence(): unknown; dispose(): Promise<void> }>
  tokenize(text: string): unknown[]
  dispose(): Promise<void>
}

/** The threads the model runs on, always. */
export const LOCAL_MODEL_THREADS = 2

async function loadRuntime(): Promise<NodeLlamaCpp> {
  try {
    // Kept as a runtime string so that TypeScript's CommonJS output keeps `import()` (an ES module).
    const name = 'node-llama-cpp'
    return (await import(name)) as NodeLlamaCpp
  } catch (err) {
    throw new GamesaError('LLM_FAILED', `--llm-model-file needs the optional dependency node-llama-cpp (npm i -E node-llama-cpp@3.21.1): ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

/** A backend on the GGUF model in `options.modelFile`. */
export function localModelBackend(options: LocalModelOptions): LlmBackend {
  const maxTokens = options.maxTokens ?? 1024
  const contextSize = options.contextSize ?? 4096
  const timeoutMs = options.timeoutMs ?? 600_000
  for (const [name, v] of [['maxTokens', maxTokens], ['contextSize', contextSize], ['timeoutMs', timeoutMs]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new GamesaError('INVALID_ARGUMENT', `${name} must be a whole number >= 1, got ${String(v)}`)
  }
  return async (prompt, schema): Promise<LlmAnswer> => {
    if (!existsSync(options.modelFile)) throw new GamesaError('LLM_FAILED', `model file ${options.modelFile} does not exist`, { path: options.modelFile })
    const runtime = await loadRuntime()
    const llama = await runtime.getLlama({ gpu: false, logLevel: 'error' })
    try {
      let model: Model
      try {
        model = await llama.loadModel({ modelPath: options.modelFile })
      } catch (err) {
        throw new GamesaError('LLM_FAILED', `cannot load ${options.modelFile}: ${err instanceof Error ? err.message : String(err)}`, { path: options.modelFile, cause: err })
      }
      try {
        const context = await model.createContext({ threads: LOCAL_MODEL_THREADS, contextSize })
        try {
          const grammar = await llama.createGrammarForJsonSchema(schema)
          const session = new runtime.LlamaChatSession({ contextSequence: context.getSequence(), systemPrompt: prompt.system })
          const abort = new AbortController()
          const timer = setTimeout(() => abort.abort(), timeoutMs)
          let completionTokens = 0
          let text: string
          try {
            // Greedy decoding (temperature 0): the same model and prompt give the same answer.
            text = await session.prompt(prompt.user, {
              grammar,
              maxTokens,
              temperature: 0,
              signal: abort.signal,
              onToken: (tokens) => {
                completionTokens += tokens.length
              },
            })
          } catch (err) {
            if (abort.signal.aborted) throw new GamesaError('LLM_FAILED', `the local model gave no answer within ${timeoutMs} ms`, { cause: err })
            throw new GamesaError('LLM_FAILED', `the local model failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
          } finally {
            clearTimeout(timer)
          }
          return {
            text,
            promptTokens: model.tokenize(`${prompt.system}\n${prompt.user}`).length,
            completionTokens,
            attempts: 1,
            truncated: completionTokens >= maxTokens,
            backend: `local ${options.modelFile}`,
          }
        } finally {
          await context.dispose()
        }
      } finally {
        await model.dispose()
      }
    } finally {
      await llama.dispose()
    }
  }
}
