// conmon reads its attach socket 8 KiB per message and drops the rest: the engine's session splits
// stdin, so megabytes through `run -i` arrive intact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { destroyRoot, makeRoot, skiff } from './helpers.js';

let root = '';
before(async () => {
  root = await makeRoot('stdinbig');
});
after(async () => {
  await destroyRoot(root);
});

test('run --rm -i busybox md5sum < 3 MB: the digest of every byte', async () => {
  const data = crypto.randomBytes(3 * 1024 * 1024);
  const r = await skiff(root, ['run', '--rm', '-i', 'busybox', 'md5sum'], data);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split(/\s/)[0], crypto.createHash('md5').update(data).digest('hex'));
});

test('stdin still arriving after the process exited is dropped quietly', async () => {
  const r = await skiff(root, ['run', '--rm', '-i', 'busybox', 'true'], crypto.randomBytes(1024 * 1024));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});
