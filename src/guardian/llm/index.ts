// Language models behind `gamesa reflect --llm`: a policy proposal from the reflection report,
// through an OpenAI-compatible endpoint or a local GGUF model, always validated.
export { openAiBackend, completionsUrl, type OpenAiOptions } from './openai.js'
export { localModelBackend, LOCAL_MODEL_THREADS, type LocalModelOptions } from './local.js'
export { proposeWithLlm, type LlmProposal } from './propose.js'
export { proposalPrompt, type ProposalPrompt } from './prompt.js'
export { llmProposalSchema } from './schema.js'
export type { LlmAnswer, LlmBackend } from './types.js'
