import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalize, replicasForUtilization } from './replicas.js';

test('replicas follow utilization over target, within a 10% tolerance', () => {
  const pods = (usage: number) => [{ usage, request: 100 }, { usage, request: 100 }];
  assert.deepEqual(replicasForUtilization(pods(100), 50, 2), { replicas: 4, utilization: 100 });
  assert.deepEqual(replicasForUtilization(pods(52), 50, 2), { replicas: 2, utilization: 52 });
  assert.deepEqual(replicasForUtilization(pods(10), 50, 2), { replicas: 1, utilization: 10 });
  assert.equal(replicasForUtilization([], 50, 2), undefined);
});

test('scale-up is limited per period, scale-down stabilized, both within min and max', () => {
  assert.deepEqual(normalize(20, 2, 1, 100, [], 0), { replicas: 6, limited: 'ScaleUpLimit' });
  assert.deepEqual(normalize(8, 4, 1, 6, [], 0), { replicas: 6, limited: 'TooManyReplicas' });
  const history = [{ at: 0, replicas: 5 }, { at: 100_000, replicas: 2 }];
  assert.equal(normalize(2, 6, 1, 10, history, 200_000).replicas, 5, 'the window remembers 5');
  assert.equal(normalize(2, 6, 1, 10, history, 400_000).replicas, 2, 'the 5 has left the window');
  assert.deepEqual(normalize(1, 2, 3, 10, [], 0), { replicas: 3, limited: 'TooFewReplicas' });
});
