import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import type { JsonObject } from './json.js';
import { schemaFromTable, strategicMergeSchema } from './schema.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const deploymentSchema = strategicMergeSchema('apps', 'Deployment')!;
const podSchema = strategicMergeSchema('', 'Pod')!;

function deployment(containers: JsonObject[]): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  };
}

function containersOf(obj: JsonObject): JsonObject[] {
  return ((obj.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers;
}

test('kubectl set image: only the named container changes, order kept', () => {
  const live = deployment([
    { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    { name: 'sidecar', image: 'busybox' },
  ]);
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'busybox:1.36', name: 'sidecar' }] } } } };
  const out = applyStrategicMergePatch(live, patch, deploymentSchema);
  assert.deepEqual(containersOf(out), [
    { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    { name: 'sidecar', image: 'busybox:1.36' },
  ]);
});

test('kubectl apply three-way patch: env merged by name, container deleted, order from $setElementOrder', () => {
  const live = deployment([
    { name: 'old', image: 'busybox' },
    { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'SERVER_ONLY', value: 'x' }] },
  ]);
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }],
          containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '2' }], name: 'web' }, { $patch: 'delete', name: 'old' }],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(live, patch, deploymentSchema);
  assert.deepEqual(containersOf(out), [
    { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'SERVER_ONLY', value: 'x' }] },
  ]);
});

test('rollout pause / resume / restart and drain / uncordon patches', () => {
  const live = deployment([{ name: 'web', image: 'nginx' }]);
  const paused = applyStrategicMergePatch(live, { spec: { paused: true } }, deploymentSchema);
  assert.equal((paused.spec as JsonObject).paused, true);
  const resumed = applyStrategicMergePatch(paused, { spec: { paused: null } }, deploymentSchema);
  assert.equal('paused' in (resumed.spec as JsonObject), false);
  const restarted = applyStrategicMergePatch(live, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T15:08:24Z' } } } } }, deploymentSchema);
  assert.deepEqual(((restarted.spec as JsonObject).template as JsonObject).metadata, {
    labels: { app: 'web' },
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T15:08:24Z' },
  });
  const nodeSchema = strategicMergeSchema('', 'Node')!;
  const cordoned = applyStrategicMergePatch({ metadata: { name: 'n1' }, spec: {} }, { spec: { unschedulable: true } }, nodeSchema);
  assert.deepEqual(applyStrategicMergePatch(cordoned, { spec: { unschedulable: null } }, nodeSchema), { metadata: { name: 'n1' }, spec: {} });
});

test('merge keys of the built-in types: ports by containerPort, service ports by port, ownerReferences by uid', () => {
  const pod = { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', name: 'rs' }] }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] } };
  const out = applyStrategicMergePatch(
    pod,
    {
      metadata: { ownerReferences: [{ uid: 'u1', controller: true }] },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] }] },
    },
    podSchema,
  );
  assert.deepEqual((out.metadata as JsonObject).ownerReferences, [{ uid: 'u1', kind: 'ReplicaSet', name: 'rs', controller: true }]);
  assert.deepEqual(((out.spec as JsonObject).containers as JsonObject[])[0].ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }]);

  const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] } };
  const patched = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 443, nodePort: 30443 }] } }, strategicMergeSchema('', 'Service')!);
  assert.deepEqual((patched.spec as JsonObject).ports, [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443, nodePort: 30443 }]);
});

test('without $setElementOrder new list items come first, as in kube', () => {
  const out = applyStrategicMergePatch({ spec: { containers: [{ name: 'a' }, { name: 'b' }] } }, { spec: { containers: [{ name: 'c' }] } }, podSchema);
  assert.deepEqual((out.spec as JsonObject).containers, [{ name: 'c' }, { name: 'a' }, { name: 'b' }]);
});

test('untagged lists (tolerations, args, envFrom) are replaced whole', () => {
  const live = { spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', args: ['x', 'y'] }] } };
  const out = applyStrategicMergePatch(live, { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['z'] }] } }, podSchema);
  assert.deepEqual(out.spec, { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['z'] }] });
});

test('finalizers are a merged set: added, and removed with $deleteFromPrimitiveList', () => {
  const live = { metadata: { name: 'x', finalizers: ['a', 'b'] } };
  assert.deepEqual(applyStrategicMergePatch(live, { metadata: { finalizers: ['c', 'a'] } }, podSchema).metadata, { name: 'x', finalizers: ['c', 'a', 'b'] });
  const removed = applyStrategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b'] } }, podSchema);
  assert.deepEqual(removed.metadata, { name: 'x', finalizers: ['b'] });
});

test('retainKeys: switching a volume source and a Recreate strategy clear the old union member', () => {
  const live: JsonObject = { spec: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'keep', configMap: { name: 'cm' } }], containers: [{ name: 'c' }] } };
  const out = applyStrategicMergePatch(live, { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], hostPath: { path: '/d' }, name: 'data' }] } }, podSchema);
  assert.deepEqual((out.spec as JsonObject).volumes, [{ name: 'data', hostPath: { path: '/d' } }, { name: 'keep', configMap: { name: 'cm' } }]);

  const recreate = applyStrategicMergePatch(deployment([{ name: 'c' }]), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deploymentSchema);
  assert.deepEqual((recreate.spec as JsonObject).strategy, { type: 'Recreate' });
});

test('$patch directives: replace and delete on maps and lists', () => {
  const live = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  assert.deepEqual(applyStrategicMergePatch(live, { metadata: { labels: { $patch: 'replace', c: '3' } } }, podSchema).metadata, { labels: { c: '3' } });
  assert.deepEqual(applyStrategicMergePatch(live, { metadata: { labels: { $patch: 'delete' } } }, podSchema).metadata, { labels: {} });
  assert.deepEqual((applyStrategicMergePatch(live, { spec: { containers: [{ name: 'z' }, { $patch: 'replace' }] } }, podSchema).spec as JsonObject).containers, [{ name: 'z' }]);
});

test('PodDisruptionBudget selector is patchStrategy=replace', () => {
  const live = { spec: { selector: { matchLabels: { app: 'a', tier: 't' } } } };
  const out = applyStrategicMergePatch(live, { spec: { selector: { matchLabels: { app: 'b' } } } }, strategicMergeSchema('policy', 'PodDisruptionBudget')!);
  assert.deepEqual(out.spec, { selector: { matchLabels: { app: 'b' } } });
});

// Cases from k8s.io/apimachinery strategicpatch tests (current + three-way patch → result).
const table = schemaFromTable('Item', { Item: { mergingList: { type: 'Item', strategy: 'merge', mergeKey: 'name' }, mergingIntList: { strategy: 'merge' } } });

test('add and delete in one merging list keeps kube-apiserver order', () => {
  const current: JsonObject = { mergingList: [{ name: 1 }, { name: 2, other: 'b' }, { name: 4, other: 'c' }] };
  const patch = { '$setElementOrder/mergingList': [{ name: 2 }, { name: 3 }], mergingList: [{ name: 3 }, { name: 1, $patch: 'delete' }] };
  assert.deepEqual(applyStrategicMergePatch(current, patch, table), { mergingList: [{ name: 2, other: 'b' }, { name: 4, other: 'c' }, { name: 3 }] });
});

test('$setElementOrder with server-only items', () => {
  const current: JsonObject = { mergingList: [{ name: 1, other: 'a' }, { name: 3, value: 3 }, { name: 4, value: 4 }, { name: 2, value: 2 }, { name: 9 }] };
  const patch = { '$setElementOrder/mergingList': [{ name: 4 }, { name: 2 }, { name: 3 }, { name: 1 }] };
  assert.deepEqual(applyStrategicMergePatch(current, patch, table), {
    mergingList: [{ name: 4, value: 4 }, { name: 2, value: 2 }, { name: 3, value: 3 }, { name: 1, other: 'a' }, { name: 9 }],
  });
  const ints = applyStrategicMergePatch({ mergingIntList: [1, 2, 7, 9, 8, 3, 4] }, { '$setElementOrder/mergingIntList': [2, 1, 4, 3] }, table);
  assert.deepEqual(ints, { mergingIntList: [2, 1, 7, 9, 8, 4, 3] });
});

test('malformed directives are 400, lists of lists 422, like kube-apiserver', () => {
  const codeOf = (patch: unknown) => {
    try {
      applyStrategicMergePatch({ spec: { strategy: { type: 'RollingUpdate' } }, mergingIntList: [[1]] }, patch, deploymentSchema);
    } catch (err) {
      assert.ok(err instanceof StatusError);
      return [err.code, err.message];
    }
    return undefined;
  };
  assert.deepEqual(codeOf({ spec: { strategy: { $retainKeys: 'type' } } }), [400, 'invalid patch format of retainKeys']);
  assert.deepEqual(codeOf({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }), [400, 'invalid patch format of retainKeys']);
  assert.deepEqual(codeOf({ spec: { $deleteFromPrimitiveList: ['a'] } }), [400, 'invalid patch format of primitive list']);
  assert.deepEqual(codeOf(['not', 'a', 'map']), [400, 'json: cannot unmarshal array into Go value of type map[string]interface {}']);
  assert.equal(codeOf({ mergingIntList: [[2]] }), undefined, 'an untagged list of lists is simply replaced');
  assert.deepEqual(
    (() => {
      try {
        applyStrategicMergePatch({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }, table);
      } catch (err) {
        return (err as StatusError).code;
      }
      return undefined;
    })(),
    422,
  );
});
