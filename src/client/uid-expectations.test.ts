import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UIDTrackingExpectations } from './uid-expectations.js';

test('a pod seen terminating and then deleted counts as one observed deletion', () => {
  const e = new UIDTrackingExpectations();
  e.expectPodDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.podDeletionObserved('ns/rs', 'ns/a');
  e.podDeletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfied('ns/rs'), false, 'b is still expected');
  e.podDeletionObserved('ns/rs', 'ns/other');
  assert.equal(e.satisfied('ns/rs'), false, 'pods not expected do not count');
  e.podDeletionObserved('ns/rs', 'ns/b');
  assert.ok(e.satisfied('ns/rs'));
});
