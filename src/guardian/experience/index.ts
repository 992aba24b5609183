// The experience store (the guardian's memory): per tick the state, the actions and their
// outcomes, and the reward, in one SQLite file. See docs/experience.md.
export { ExperienceWriter, type ExperienceWriterOptions, type ExperienceRow } from './writer.js'
export { ExperienceReader, type ExperienceQuery, type ExperienceStats } from './reader.js'
export { ExperienceRecorder, ExperiencePlan, type ActuationResult, type RecordedTick } from './recorder.js'
export { RewardFunction, OUTCOME_VARIABLES, type RewardOutcome, type ExperienceConfig } from './reward.js'
export { type Retention } from './retention.js'
export { exportExperience, type ExportFormat } from './export.js'
export { exportExperienceParquet } from './parquet.js'
export { recordBacktest, recordReplay } from './sources.js'
export { SCHEMA_VERSION, MIGRATIONS } from './schema.js'
export type { ActionOutcome, ExperienceAction, ExperienceFiring, ExperienceRun, ExperienceSource, ExperienceTick, ExperienceViolation } from './types.js'
