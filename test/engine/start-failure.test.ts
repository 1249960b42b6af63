// conmon is spawned before the rootfs and config.json are ready and waits on its start pipe; a start that
// fails before it is released must not leave that conmon behind, and the container can start later.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { destroyRoot, makeRoot, ok, skiffSync } from './helpers.js';

let root = '';
before(async () => {
  root = await makeRoot('startfail');
});
after(async () => {
  await destroyRoot(root);
});

/** conmon processes whose command line names this container id. */
function conmonsOf(id: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv[0].endsWith('conmon') && argv.includes(id);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('a start that fails before runc create (network of a stopped container) leaves no conmon; a later start works', () => {
  ok(root, ['create', '--name', 'sf-peer', 'busybox', 'true']);
  const id = ok(root, ['create', '--name', 'sf-joiner', '--network', 'container:sf-peer', 'busybox', 'echo', 'joined']);
  const r = skiffSync(root, ['start', 'sf-joiner']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot join network of a non running container/);
  assert.deepEqual(conmonsOf(id), []);
  assert.equal(ok(root, ['inspect', '-f', '{{.State.Status}}', 'sf-joiner']), 'created');
  ok(root, ['rm', 'sf-joiner']);
  assert.equal(ok(root, ['run', '--rm', '--network', 'none', 'busybox', 'echo', 'after']), 'after');
});
