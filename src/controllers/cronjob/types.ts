// The CronJob fields the controller reads and writes (batch/v1).
import type { KubeObject } from '../../api/index.js';
import type { Job } from '../job/index.js';

export interface JobReference {
  kind: 'Job';
  namespace?: string;
  name: string;
  uid?: string;
  apiVersion: 'batch/v1';
  resourceVersion?: string;
}

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Job['spec'] };
  };
  status?: { active?: JobReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export type { Job };
