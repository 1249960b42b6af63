import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deletionConditions, mergeConditions } from './conditions.js';

const totals = (remaining: Record<string, number>, finalizers: Record<string, number> = {}, errors: string[] = []) => ({
  remaining: new Map(Object.entries(remaining)),
  finalizers: new Map(Object.entries(finalizers)),
  errors,
});

test('nothing left: all five conditions False with their ok reasons, in Kubernetes order', () => {
  assert.deepEqual(
    deletionConditions(totals({})).map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      ['NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
    ],
  );
});

test('remaining content and finalizers are counted, sorted, in Kubernetes wording', () => {
  const byType = new Map(deletionConditions(totals({ 'pods.': 2, 'configmaps.': 1, 'deployments.apps': 0 }, { 'example.com/hold': 1, 'a/b': 2 })).map((c) => [c.type, c]));
  assert.deepEqual(byType.get('NamespaceContentRemaining'), {
    type: 'NamespaceContentRemaining',
    status: 'True',
    reason: 'SomeResourcesRemain',
    message: 'Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances',
  });
  assert.deepEqual(byType.get('NamespaceFinalizersRemaining'), {
    type: 'NamespaceFinalizersRemaining',
    status: 'True',
    reason: 'SomeFinalizerRemain',
    message: 'Some finalizers are remaining: a/b in 2 resource instances, example.com/hold in 1 resource instances',
  });
  assert.equal(byType.get('NamespaceDeletionContentFailure')?.status, 'False');
});

test('deletion errors make ContentDeletionFailed with their count', () => {
  const c = deletionConditions(totals({}, {}, ['b failed', 'a failed'])).find((x) => x.type === 'NamespaceDeletionContentFailure');
  assert.equal(c?.status, 'True');
  assert.equal(c?.reason, 'ContentDeletionFailed');
  assert.equal(c?.message, 'Failed to delete all resource types, 2 remaining: a failed, b failed');
});

test('merging: new types appended, transition time moves only when the status flips, unchanged is undefined', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');
  const first = mergeConditions([{ type: 'Other', status: 'True', reason: 'X', message: 'x' }], deletionConditions(totals({ 'pods.': 2 })), t0)!;
  assert.equal(first.length, 6);
  assert.equal(first[0].type, 'Other');
  assert.equal(mergeConditions(first, deletionConditions(totals({ 'pods.': 2 })), t1), undefined);
  const fewer = mergeConditions(first, deletionConditions(totals({ 'pods.': 1 })), t1)!;
  const remaining = fewer.find((c) => c.type === 'NamespaceContentRemaining')!;
  assert.equal(remaining.message, 'Some resources are remaining: pods. has 1 resource instances');
  assert.equal(remaining.lastTransitionTime, '2026-01-01T00:00:00Z');
  const done = mergeConditions(fewer, deletionConditions(totals({})), t1)!.find((c) => c.type === 'NamespaceContentRemaining')!;
  assert.equal(done.status, 'False');
  assert.equal(done.lastTransitionTime, '2026-01-01T00:01:00Z');
});
