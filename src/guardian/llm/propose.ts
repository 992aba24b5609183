// From a reflection to a policy proposal by a language model, and straight into the proposals'
// validation: the model's answer is never trusted. Whatever it says — valid JSON or not, a sane
// change or a harmful one — comes back with the validation's verdict and every problem.
import { documentText } from '../../features.js'
import { configSha256, validateProposal, type ProposalValidation } from '../proposals/validate.js'
import type { Reflection } from '../reflect/types.js'
import { proposalPrompt } from './prompt.js'
import { llmProposalSchema } from './schema.js'
import type { LlmAnswer, LlmBackend } from './types.js'

/** What the model answered and what validation made of it. */
export interface LlmProposal {
  answer: LlmAnswer
  /** The proposal document (the answer with `base` filled in), or the raw text when it is not JSON. */
  document: Record<string, unknown> | string
  validation: ProposalValidation
}

/** Asks `backend` for a proposal on `reflection` of a store run under `config`, and validates it against `config`. */
export async function proposeWithLlm(reflection: Reflection, config: unknown, backend: LlmBackend): Promise<LlmProposal> {
  const text = documentText(config, 'config')
  const prompt = proposalPrompt(reflection, JSON.parse(text) as Parameters<typeof proposalPrompt>[1])
  const answer = await backend(prompt, llmProposalSchema())
  let document: Record<string, unknown> | string = answer.text
  try {
    const parsed = JSON.parse(answer.text) as unknown
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      // The proposal is made against this configuration: the guardian says so, not the model.
      document = { ...(parsed as Record<string, unknown>), base: { configSha256: configSha256(text) } }
    }
  } catch {
    // Not JSON (cut short by the token budget): validation reports it at `$`.
  }
  return { answer, document, validation: validateProposal(document, text) }
}
