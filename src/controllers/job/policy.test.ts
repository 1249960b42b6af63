import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../client/index.js';
import type { Job } from './types.js';
import { failureBackoffMs, formatIndexes, matchFailurePolicy, parseIndexes } from './policy.js';

test('completed indexes compress to ranges and parse back', () => {
  assert.equal(formatIndexes([4, 0, 2, 1, 5, 1]), '0-2,4-5');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-2,4')].sort(), [0, 1, 2, 4]);
});

test('failed pods are replaced after 10 s, doubling, at most 6 minutes', () => {
  assert.deepEqual([0, 1, 2, 3, 10].map(failureBackoffMs), [0, 10_000, 20_000, 40_000, 360_000]);
});

test('podFailurePolicy rules match exit codes (In / NotIn, container name) and pod conditions in order', () => {
  const job = (rules: NonNullable<Job['spec']['podFailurePolicy']>['rules']): Job => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: {}, podFailurePolicy: { rules } } });
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [{ name: 'main' }] },
    status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True' }], containerStatuses: [{ name: 'main', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 42 } } }] },
  };
  assert.equal(matchFailurePolicy(job([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] } }]), pod), undefined);
  const m = matchFailurePolicy(job([{ action: 'Count', onExitCodes: { operator: 'In', values: [1] } }, { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'NotIn', values: [1, 2] } }]), pod);
  assert.equal(m?.rule.action, 'FailJob');
  assert.equal(m?.message, 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1');
  assert.equal(matchFailurePolicy(job([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }]), pod)?.rule.action, 'Ignore');
});
