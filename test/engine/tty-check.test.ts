// docker's CheckTty: -i with -t needs a terminal on stdin; without one the CLI refuses at once
// (exit 1) instead of waiting on a TTY session that stdin could never drive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRoot, makeRoot, ok, skiffSync } from './helpers.js';

let root = '';
before(async () => {
  root = await makeRoot('ttycheck');
});
after(async () => {
  await destroyRoot(root);
});

test('run -it without a terminal on stdin: "the input device is not a TTY", exit 1, nothing created', () => {
  const r = skiffSync(root, ['run', '-it', '--name', 'ttyrun', 'busybox', 'true'], 'x\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the input device is not a TTY/);
  assert.equal(ok(root, ['ps', '-aq', '--filter', 'name=ttyrun']), '');
});

test('start -i of a container created with -t, without a terminal: refused, exit 1; -a alone and run -t still run', () => {
  ok(root, ['create', '-t', '--name', 'ttystart', 'busybox', 'echo', 'hi']);
  const r = skiffSync(root, ['start', '-i', 'ttystart'], 'x\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the input device is not a TTY/);
  assert.match(ok(root, ['start', '-a', 'ttystart']), /hi/);
  assert.match(ok(root, ['run', '--rm', '-t', 'busybox', 'echo', 'tty-ok']), /tty-ok/);
});
