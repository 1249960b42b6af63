// The CronJob controller (batch/v1 CronJobs).
export { CronJobController, SCHEDULED_TIMESTAMP } from './controller.js';
export { mostRecentScheduleTime, jobNameFor } from './schedule.js';
export type { CronJob } from './types.js';
