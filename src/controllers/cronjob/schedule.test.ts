import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCron } from '../../api/index.js';
import type { CronJob } from './types.js';
import { jobNameFor, mostRecentScheduleTime } from './schedule.js';

const cronJob = (schedule: string, extra: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'cj', creationTimestamp: '2026-01-01T00:00:30Z' },
  spec: { schedule, jobTemplate: { spec: { template: {} } }, ...extra },
  status,
});

test('the most recent activation since creation or the last schedule, with the count missed', () => {
  const cj = cronJob('*/15 * * * *');
  const s = parseCron(cj.spec.schedule);
  assert.deepEqual(mostRecentScheduleTime(cj, s, new Date('2026-01-01T00:10:00Z')), { missed: 0 });
  const r = mostRecentScheduleTime(cj, s, new Date('2026-01-01T01:05:00Z'));
  assert.equal(r.time?.toISOString(), '2026-01-01T01:00:00.000Z');
  assert.equal(r.missed, 4);
  const after = mostRecentScheduleTime(cronJob('*/15 * * * *', {}, { lastScheduleTime: '2026-01-01T01:00:00Z' }), s, new Date('2026-01-01T01:05:00Z'));
  assert.equal(after.time, undefined);
});

test('startingDeadlineSeconds limits how far back missed activations count', () => {
  const cj = cronJob('*/15 * * * *', { startingDeadlineSeconds: 60 });
  const r = mostRecentScheduleTime(cj, parseCron(cj.spec.schedule), new Date('2026-01-01T01:05:00Z'));
  assert.equal(r.time, undefined);
});

test('time zones move the activation; job names count minutes since the epoch', () => {
  const cj = cronJob('0 9 * * *', { timeZone: 'Europe/Paris' });
  const r = mostRecentScheduleTime(cj, parseCron(cj.spec.schedule), new Date('2026-01-01T12:00:00Z'));
  assert.equal(r.time?.toISOString(), '2026-01-01T08:00:00.000Z');
  assert.equal(jobNameFor(cj, r.time!), `cj-${Date.parse('2026-01-01T08:00:00Z') / 60_000}`);
});
