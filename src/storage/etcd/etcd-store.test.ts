import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressRequestsOrdered } from './etcd-store.js';

test('RequestProgress is used only on etcd versions that order its answer behind pending events', () => {
  for (const version of ['3.4.23', '3.4.30', '3.5.0', '3.5.12', '3.3.25', '2.3.8', 'garbage']) assert.equal(progressRequestsOrdered(version), false, version);
  for (const version of ['3.4.31', '3.4.35', '3.5.13', '3.5.21', '3.6.0', '4.0.0']) assert.equal(progressRequestsOrdered(version), true, version);
});
