// The Job controller (batch/v1 Jobs, with ttlSecondsAfterFinished).
export { JobController } from './controller.js';
export { COMPLETION_INDEX, formatIndexes, parseIndexes, failureBackoffMs, matchFailurePolicy } from './policy.js';
export type { Job, JobStatus, JobCondition } from './types.js';
