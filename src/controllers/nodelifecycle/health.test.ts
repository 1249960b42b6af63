import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from '../../client/index.js';
import { desiredTaints, evictionTime, unknownConditions } from './health.js';

const NOW = '2026-01-01T00:01:00Z';

test('a silent kubelet turns its conditions Unknown, keeping the last heartbeat', () => {
  const out = unknownConditions([{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2025-12-31T00:00:00Z' }], NOW);
  const ready = out.find((c) => c.type === 'Ready')!;
  assert.deepEqual(ready, { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: NOW });
  assert.deepEqual(out.map((c) => c.type).sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
});

test('taints follow Ready and unschedulable, leave foreign taints alone and keep timeAdded', () => {
  const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const unknown = desiredTaints([user], 'Unknown', false, NOW);
  assert.deepEqual(unknown, [user, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: NOW }]);
  assert.deepEqual(desiredTaints(unknown, 'Unknown', false, '2027-01-01T00:00:00Z'), unknown, 'timeAdded kept');
  assert.deepEqual(desiredTaints(unknown, 'False', false, NOW).map((t) => `${t.key}:${t.effect}`), ['dedicated:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
  assert.deepEqual(desiredTaints(unknown, 'True', true, NOW).map((t) => `${t.key}:${t.effect}`), ['dedicated:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
});

test('eviction: at once without a toleration, after the shortest tolerationSeconds, never when tolerated forever', () => {
  const added = Date.parse(NOW);
  const taints: Taint[] = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: NOW }];
  assert.equal(evictionTime(taints, [], added + 5), added + 5);
  assert.equal(evictionTime(taints, [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists', tolerationSeconds: 2 }], added), added + 2000);
  assert.equal(evictionTime(taints, [{ operator: 'Exists' }], added), undefined);
  assert.equal(evictionTime([{ key: 'x', effect: 'NoSchedule' }], [], added), undefined);
});
