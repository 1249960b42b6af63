import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations } from './expectations.js';

test('a key is not synced again until the expected creations and deletions are observed', () => {
  const e = new ControllerExpectations();
  assert.ok(e.satisfied('ns/rs'), 'no record: sync');
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.ok(e.satisfied('ns/rs'));
  e.expectDeletions('ns/rs', 1);
  e.raise('ns/rs', 1, 0);
  assert.deepEqual(e.pending('ns/rs'), { add: 1, del: 1 });
  e.deletionObserved('ns/rs');
  e.creationObserved('ns/rs');
  assert.ok(e.satisfied('ns/rs'));
  e.delete('ns/rs');
  assert.equal(e.pending('ns/rs'), undefined);
});

test('expectations expire so a lost event cannot block a controller forever', async () => {
  const e = new ControllerExpectations(20);
  e.expectCreations('k', 5);
  assert.equal(e.satisfied('k'), false);
  await new Promise((r) => setTimeout(r, 30));
  assert.ok(e.satisfied('k'));
});
