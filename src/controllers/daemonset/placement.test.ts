import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../client/index.js';
import type { DaemonSet } from './types.js';
import { nodeShouldRunDaemonPod, podSpecForNode, targetNodeName } from './placement.js';

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } }) as unknown as Node;
const ds = (spec: Record<string, unknown> = {}): DaemonSet => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'ns' }, spec: { template: { spec: { containers: [], ...spec } } } });

test('nodeSelector and taints decide where a daemon runs; default tolerations cover node conditions', () => {
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), ds()), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), ds({ nodeSelector: { disk: 'ssd' } })), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun, true);
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), ds()), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', effect: 'NoExecute' }]), ds()), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), ds()).shouldRun, true);
});

test('a daemon pod is pinned to its node by a required node affinity on metadata.name', () => {
  const spec = podSpecForNode(ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [] }] } } } }), 'n7');
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec } as never;
  assert.equal(targetNodeName(pod), 'n7');
  assert.ok((spec.tolerations as Array<{ key: string }>).some((t) => t.key === 'node.kubernetes.io/not-ready'));
});
