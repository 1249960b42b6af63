import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/index.js';
import { requeueOnConflict } from './requeue.js';
import { WorkQueue } from './workqueue.js';

test('a conflict requeues the key quietly; other errors still fail the sync', async () => {
  const queue = new WorkQueue<string>();
  const conflict = requeueOnConflict(queue, async () => {
    throw new StatusError(409, 'Conflict', 'the object has been modified');
  });
  await conflict('ns/a');
  assert.equal(await queue.get(), 'ns/a');
  const broken = requeueOnConflict(queue, async () => {
    throw new StatusError(500, 'InternalError', 'boom');
  });
  await assert.rejects(broken('ns/b'), /boom/);
  queue.shutdown();
});
