import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/index.js';
import { selectorFromSet } from '../api/index.js';
import { claimObjects, controllerRefOf, newControllerRef } from './controller-ref.js';
import type { ResourceClient } from './resource.js';

const owner: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'owner-uid' } };
const pod = (name: string, labels: Record<string, string>, ownerUid?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels, ownerReferences: ownerUid ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: ownerUid, controller: true }] : [] },
});

/** Records patches and answers with the patched object as a strategic merge would. */
function fakeClient(): { client: ResourceClient<KubeObject>; patches: Array<{ name: string; patch: unknown }> } {
  const patches: Array<{ name: string; patch: unknown }> = [];
  const client = {
    async patch(name: string, patch: { metadata: { ownerReferences: KubeObject['metadata']['ownerReferences'] } }) {
      patches.push({ name, patch });
      return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', ownerReferences: patch.metadata.ownerReferences } };
    },
  } as unknown as ResourceClient<KubeObject>;
  return { client, patches };
}

test('an owner keeps its matching objects, adopts matching orphans, releases non-matching ones, ignores others', async () => {
  const { client, patches } = fakeClient();
  let rechecked = 0;
  const claimed = await claimObjects(
    [pod('mine', { app: 'web' }, 'owner-uid'), pod('orphan', { app: 'web' }), pod('moved', { app: 'db' }, 'owner-uid'), pod('theirs', { app: 'web' }, 'other-uid'), pod('stranger', { app: 'db' })],
    { owner, selector: selectorFromSet({ app: 'web' }), client, canAdopt: async () => void rechecked++ },
  );
  assert.deepEqual(claimed.map((o) => o.metadata.name), ['mine', 'orphan']);
  assert.equal(controllerRefOf(claimed[1])?.uid, 'owner-uid');
  assert.deepEqual(patches, [
    { name: 'orphan', patch: { metadata: { ownerReferences: [newControllerRef(owner)], uid: 'orphan-uid' } } },
    { name: 'moved', patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'owner-uid' }], uid: 'moved-uid' } } },
  ]);
  assert.equal(rechecked, 1, 'the owner is re-read once before adopting');
});

test('an owner being deleted neither adopts nor releases', async () => {
  const { client, patches } = fakeClient();
  const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  const claimed = await claimObjects([pod('orphan', { app: 'web' }), pod('moved', { app: 'db' }, 'owner-uid')], { owner: deleting, selector: selectorFromSet({ app: 'web' }), client });
  assert.deepEqual(claimed, []);
  assert.deepEqual(patches, []);
});
