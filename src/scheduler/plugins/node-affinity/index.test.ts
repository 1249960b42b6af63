import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, CycleState, Status } from '../../framework.js';
import { PodInfo } from '../../node-info.js';
import { makePod } from '../../testing.js';
import { nodeAffinity } from './index.js';

test('PreFilter narrows the cycle to nodes pinned by metadata.name and skips pods without constraints', () => {
  const p = nodeAffinity();
  const pinned = makePod('p', {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }] } } },
  });
  assert.deepEqual(p.preFilter!(new CycleState(), new PodInfo(pinned), undefined as never), { nodeNames: new Set(['a', 'b']) });
  const none = p.preFilter!(new CycleState(), new PodInfo(makePod('q')), undefined as never);
  assert.ok(none instanceof Status && none.code === Code.Skip);
});
