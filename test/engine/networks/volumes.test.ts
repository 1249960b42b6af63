// Volumes end to end through the CLI: a named volume keeps data across containers, a read-only bind
// refuses writes, an empty named volume receives the image's content (copy-up), anonymous volumes,
// `volume rm` refused while in use, and no mount left behind once the containers are gone.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, makeRoot, ok, skiffSync } from '../helpers.js';

let root = '';
const tag = crypto.randomBytes(3).toString('hex');
const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), `skiff-voltest-${tag}-`));

before(async () => {
  root = await makeRoot(`vol${tag}`);
});

after(async () => {
  await destroyRoot(root);
  fs.rmSync(hostDir, { recursive: true, force: true });
});

test('a named volume keeps data across containers and cannot be removed while in use', () => {
  const vol = `data${tag}`;
  assert.equal(ok(root, ['volume', 'create', vol]), vol);
  ok(root, ['run', '--rm', '--network', 'none', '-v', `${vol}:/data`, 'busybox', 'sh', '-c', 'echo kept > /data/f']);
  assert.equal(ok(root, ['run', '--rm', '--network', 'none', '-v', `${vol}:/data`, 'busybox', 'cat', '/data/f']), 'kept');
  const [info] = JSON.parse(ok(root, ['volume', 'inspect', vol])) as Array<{ Mountpoint: string; Driver: string }>;
  assert.equal(info.Driver, 'local');
  assert.ok(info.Mountpoint.startsWith(root), 'Mountpoint under the engine root');
  assert.equal(fs.readFileSync(path.join(info.Mountpoint, 'f'), 'utf8'), 'kept\n');
  const id = ok(root, ['create', '--network', 'none', '-v', `${vol}:/data`, 'busybox', 'true']);
  const rm = skiffSync(root, ['volume', 'rm', vol]);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, new RegExp(`Error response from daemon: remove ${vol}: volume is in use - \\[${id}\\]`));
  ok(root, ['rm', id]);
  assert.equal(ok(root, ['volume', 'rm', vol]), vol);
  assert.doesNotMatch(ok(root, ['volume', 'ls', '-q']), new RegExp(vol));
});

test('a read-only bind mount refuses writes; a read-write one shows host files', () => {
  fs.writeFileSync(path.join(hostDir, 'host.txt'), 'from-host\n');
  assert.equal(ok(root, ['run', '--rm', '--network', 'none', '-v', `${hostDir}:/h`, 'busybox', 'cat', '/h/host.txt']), 'from-host');
  const r = skiffSync(root, ['run', '--rm', '--network', 'none', '-v', `${hostDir}:/h:ro`, 'busybox', 'sh', '-c', 'echo x > /h/new']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Read-only file system/);
  assert.ok(!fs.existsSync(path.join(hostDir, 'new')));
});

test('an empty named volume receives the image content at its mount path (copy-up); -v /path is anonymous', () => {
  const vol = `copy${tag}`;
  assert.match(ok(root, ['run', '--rm', '--network', 'none', '-v', `${vol}:/etc`, 'busybox', 'cat', '/etc/group']), /^root:x:0:/);
  assert.match(ok(root, ['run', '--rm', '--network', 'none', '-v', `${vol}:/data`, 'busybox', 'cat', '/data/group']), /^root:x:0:/);
  const id = ok(root, ['run', '-d', '--network', 'none', '-v', '/anon', 'busybox', 'sleep', '30']);
  const mounts = JSON.parse(ok(root, ['inspect', '--format', '{{json .Mounts}}', id])) as Array<{ Type: string; Name: string; Destination: string }>;
  assert.equal(mounts[0].Type, 'volume');
  assert.match(mounts[0].Name, /^[0-9a-f]{64}$/);
  assert.equal(mounts[0].Destination, '/anon');
  ok(root, ['rm', '-f', id]);
  assert.match(ok(root, ['volume', 'prune', '-f']), new RegExp(mounts[0].Name));
  assert.ok(ok(root, ['volume', 'ls', '-q']).includes(vol), 'named volumes survive prune without --all');
  const left = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(root));
  assert.deepEqual(left, []);
});

test('--mount, --volumes-from and rm -v', () => {
  fs.writeFileSync(path.join(hostDir, 'm.txt'), 'mounted\n');
  const ro = skiffSync(root, ['run', '--rm', '--network', 'none', '--mount', `type=bind,source=${hostDir},target=/m,readonly`, 'busybox', 'sh', '-c', 'cat /m/m.txt && touch /m/x']);
  assert.equal(ro.stdout, 'mounted\n');
  assert.match(ro.stderr, /Read-only file system/);
  const vol = `mnt${tag}`;
  ok(root, ['run', '--rm', '--network', 'none', '--mount', `source=${vol},target=/v`, 'busybox', 'sh', '-c', 'echo via-mount > /v/f']);
  assert.equal(ok(root, ['run', '--rm', '--network', 'none', '-v', `${vol}:/w`, 'busybox', 'cat', '/w/f']), 'via-mount');

  const src = ok(root, ['create', '--network', 'none', '--name', `src${tag}`, '-v', `${vol}:/v`, '-v', '/anon2', 'busybox', 'true']);
  assert.equal(ok(root, ['run', '--rm', '--network', 'none', '--volumes-from', `src${tag}`, 'busybox', 'cat', '/v/f']), 'via-mount');
  const roFrom = skiffSync(root, ['run', '--rm', '--network', 'none', '--volumes-from', `src${tag}:ro`, 'busybox', 'touch', '/anon2/x']);
  assert.match(roFrom.stderr, /Read-only file system/);
  const anon = (JSON.parse(ok(root, ['inspect', '--format', '{{json .Mounts}}', src])) as Array<{ Name: string; Destination: string }>).find((m) => m.Destination === '/anon2')!.Name;
  ok(root, ['rm', '-v', src]);
  const left = ok(root, ['volume', 'ls', '-q']).split('\n');
  assert.ok(!left.includes(anon), 'anonymous volume removed by rm -v');
  assert.ok(left.includes(vol), 'named volume kept by rm -v');
});

test('a --rm container takes its anonymous volumes along, in the foreground and detached', async () => {
  const before = new Set(ok(root, ['volume', 'ls', '-q']).split('\n'));
  ok(root, ['run', '--rm', '--network', 'none', '-v', '/tmpvol', 'busybox', 'true']);
  ok(root, ['run', '-d', '--rm', '--network', 'none', '-v', '/tmpvol2', 'busybox', 'true']);
  for (let i = 0; i < 100 && ok(root, ['ps', '-aq']); i++) await new Promise((r) => setTimeout(r, 100));
  const after = ok(root, ['volume', 'ls', '-q']).split('\n').filter((v) => !before.has(v));
  assert.deepEqual(after, []);
});
