// What a language model backend returns, whichever it is.

/** One answer: the text, and what it cost. */
export interface LlmAnswer {
  /** The model's text (JSON when it obeyed the schema). */
  text: string
  /** Tokens used: prompt and completion (as the backend counts them). */
  promptTokens: number
  completionTokens: number
  /** Attempts made (more than 1 after retries). */
  attempts: number
  /** Whether the answer stopped at the token budget (then the JSON is cut short). */
  truncated: boolean
  /** Which backend and model. */
  backend: string
}

/** A backend: the prompt in, an answer constrained by `schema` out. */
export type LlmBackend = (prompt: { system: string; user: string }, schema: Record<string, unknown>) => Promise<LlmAnswer>
