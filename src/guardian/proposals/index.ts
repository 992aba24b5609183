// Policy proposals: the document every author writes (generator, language model, person) and
// the check that decides whether one may go on to shadow testing.
export { type Applied, type ProposalProblem, type Provenance, applyChange, proposalPathOf } from './apply.js'
export { looseningsOf } from './loosening.js'
export {
  EvidenceSchema,
  PROPOSAL_AUTHORS,
  type PolicyProposal,
  PolicyProposalSchema,
  type ProposalAuthor,
  type ProposalEvidence,
  RULE_DIFF_OPS,
  type RuleDiff,
  type RuleDiffOp,
  RuleDiffSchema,
  proposalJsonSchema,
} from './schema.js'
export { type ProposalValidation, type ValidateProposalOptions, assertValidProposal, configSha256, validateProposal } from './validate.js'
