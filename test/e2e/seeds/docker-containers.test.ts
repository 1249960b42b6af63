// Seed 002 §docker 容器实战 (and the container commands of seed 003/004) as a user types them with the
// skiff CLI on its own engine root: busybox stands in for ubuntu/nginx.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, eventually, makeRoot, ok, skiff, skiffSync } from '../../engine/helpers.js';

let root = '';
let work = '';
before(async () => {
  root = await makeRoot('e2e-ctr');
  work = fs.mkdtempSync(path.join(root, 'work-'));
});
after(async () => {
  await destroyRoot(root);
});

test('seed 002 §docker 容器实战 运行第一个容器: run a named container, rm, start it again by name', () => {
  const r = skiffSync(root, ['run', '--name', 'bob_the_container', 'busybox', 'sh', '-c', 'hostname; echo first run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{12}\nfirst run\n$/);
  assert.match(ok(root, ['ps', '-a', '--filter', 'name=bob_the_container', '--format', '{{.Status}}']), /^Exited \(0\) /);
  // docker start re-runs the container with the arguments of its docker run.
  assert.equal(ok(root, ['start', 'bob_the_container']), 'bob_the_container');
  ok(root, ['wait', 'bob_the_container']);
  assert.match(ok(root, ['logs', 'bob_the_container']), /first run\n[0-9a-f]{12}\nfirst run/);
  const dup = skiffSync(root, ['run', '--name', 'bob_the_container', 'busybox', 'true']);
  assert.equal(dup.code, 125);
  assert.match(dup.stderr, /The container name "\/bob_the_container" is already in use/);
  assert.equal(ok(root, ['rm', 'bob_the_container']), 'bob_the_container');
});

test('seed 002 §docker 容器实战 守护式容器: daemon_dave logs, top, exec -d, inspect, stop, kill, rm -f', async () => {
  const id = ok(root, ['run', '--name', 'daemon_dave', '-d', 'busybox', '/bin/sh', '-c', 'while true;do echo hello world;sleep 1; done']);
  assert.match(id, /^[0-9a-f]{64}$/);
  await eventually('two lines of logs', () => ok(root, ['logs', 'daemon_dave']).split('\n').filter((l) => l === 'hello world').length >= 2);
  assert.match(ok(root, ['top', 'daemon_dave']), /while true/);
  ok(root, ['exec', '-d', 'daemon_dave', 'touch', 'demo.txt']);
  await eventually('demo.txt made by exec -d', () => skiffSync(root, ['exec', 'daemon_dave', 'ls', '/demo.txt']).code === 0);
  assert.equal(ok(root, ['exec', 'daemon_dave', 'sh', '-c', 'echo $((6*7))']), '42');
  const info = JSON.parse(ok(root, ['inspect', 'daemon_dave'])) as Array<{ Id: string; Name: string; State: { Running: boolean } }>;
  assert.equal(info[0].Id, id);
  assert.equal(info[0].Name, '/daemon_dave');
  assert.equal(info[0].State.Running, true);
  assert.match(ok(root, ['ps']), /daemon_dave/);

  // docker stop sends SIGTERM (sh ignores it as PID 1, so the kill after the timeout ends it).
  ok(root, ['stop', '-t', '1', 'daemon_dave']);
  assert.doesNotMatch(ok(root, ['ps']), /daemon_dave/);
  assert.match(ok(root, ['ps', '-a']), /Exited \(137\).*daemon_dave/);
  ok(root, ['start', 'daemon_dave']);
  assert.equal(ok(root, ['kill', 'daemon_dave']), 'daemon_dave');
  assert.equal(ok(root, ['inspect', '-f', '{{.State.ExitCode}}', 'daemon_dave']), '137');
  assert.equal(ok(root, ['rm', '-f', 'daemon_dave']), 'daemon_dave');
  assert.doesNotMatch(ok(root, ['ps', '-a']), /daemon_dave/);
});

test('seed 002 §docker 容器实战: create + start, pause/unpause, stats, cp both ways, diff, export | import', async () => {
  const id = ok(root, ['create', '--name', 'f58', 'busybox', 'sleep', '300']);
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(ok(root, ['ps', '-a', '--filter', 'name=f58', '--format', '{{.Status}}']), /^Created$/);
  ok(root, ['start', 'f58']);

  assert.equal(ok(root, ['pause', 'f58']), 'f58');
  assert.match(ok(root, ['ps', '--filter', 'name=f58', '--format', '{{.Status}}']), /\(Paused\)/);
  assert.equal(ok(root, ['unpause', 'f58']), 'f58');
  assert.doesNotMatch(ok(root, ['ps', '--filter', 'name=f58', '--format', '{{.Status}}']), /Paused/);

  const stats = ok(root, ['stats', '--no-stream', 'f58']);
  assert.match(stats.split('\n')[0], /CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS/);
  assert.match(stats.split('\n')[1], new RegExp(`^${id.slice(0, 12)}\\s+f58\\s+\\d+\\.\\d\\d%`));

  fs.writeFileSync(path.join(work, 'demo.txt'), 'demo from the host\n');
  ok(root, ['exec', 'f58', 'mkdir', '-p', '/root']);
  ok(root, ['cp', path.join(work, 'demo.txt'), 'f58:/root']);
  assert.equal(ok(root, ['exec', 'f58', 'cat', '/root/demo.txt']), 'demo from the host');
  ok(root, ['exec', 'f58', 'sh', '-c', 'echo made inside > /root/inside.txt']);
  ok(root, ['cp', 'f58:/root/inside.txt', path.join(work, 'inside.txt')]);
  assert.equal(fs.readFileSync(path.join(work, 'inside.txt'), 'utf8'), 'made inside\n');

  const diff = ok(root, ['diff', 'f58']).split('\n');
  assert.ok(diff.includes('A /root/demo.txt'), diff.join('\n'));
  assert.ok(diff.includes('A /root/inside.txt'), diff.join('\n'));

  // docker export f58 > ubuntu.tar; cat ubuntu.tar | docker import - ubuntu:1.0.0
  const tar = path.join(work, 'ubuntu.tar');
  const exported = skiffSync(root, ['export', '-o', tar, 'f58']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(fs.statSync(tar).size > 100_000);
  const imported = await skiff(root, ['import', '-', 'ubuntu:1.0.0'], fs.readFileSync(tar));
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.match(ok(root, ['images', 'ubuntu']), /ubuntu\s+1\.0\.0\s+[0-9a-f]{12}/);
  // An imported image has no CMD: the command is given, as the seed does with /bin/bash.
  assert.equal(ok(root, ['run', '--rm', 'ubuntu:1.0.0', 'cat', '/root/demo.txt']), 'demo from the host');
  ok(root, ['rm', '-f', 'f58']);
});

test('seed 002 §docker 容器实战: --restart=always brings a container back after it exits', async () => {
  ok(root, ['run', '--name', 'always_dave', '-d', '--restart=always', 'busybox', 'sh', '-c', 'echo started; sleep 1; exit 2']);
  await eventually('a restart', () => Number(ok(root, ['inspect', '-f', '{{.RestartCount}}', 'always_dave'])) >= 1, 30_000);
  // docker logs keeps the output of every run.
  await eventually('both runs in the logs', () => ok(root, ['logs', 'always_dave']).split('\n').filter((l) => l === 'started').length >= 2);
  ok(root, ['rm', '-f', 'always_dave']);
});

test('seed 002 §docker 容器实战: -w and -e on docker run (pwd, env)', () => {
  assert.equal(ok(root, ['run', '--rm', '-w', '/var/log', 'busybox', 'pwd']), '/var/log');
  assert.match(ok(root, ['run', '--rm', '-e', 'WEB_PORT=8008', 'busybox', 'env']), /^WEB_PORT=8008$/m);
});

test('seed 002 §docker 容器实战: docker attach follows a running container\'s output until it exits; rm $(docker ps -aq) removes them all', async () => {
  // attach shows output from when it attaches (no replay), so the container keeps printing for a while.
  ok(root, ['run', '-d', '--name', 'attached', 'busybox', 'sh', '-c', 'for i in $(seq 1 30); do echo line $i; sleep 0.2; done; echo end; exit 3']);
  const attached = await skiff(root, ['attach', 'attached']);
  assert.equal(attached.code, 3, attached.stderr);
  assert.match(attached.stdout, /(line \d+\n)+line 30\nend\n$/);
  ok(root, ['create', '--name', 'idle1', 'busybox', 'true']);
  ok(root, ['run', '-d', '--name', 'idle2', 'busybox', 'sleep', '300']);
  const all = ok(root, ['ps', '-aq']).split('\n').filter(Boolean);
  assert.ok(all.length >= 3);
  assert.equal(ok(root, ['rm', '-f', ...all]).split('\n').length, all.length);
  assert.equal(ok(root, ['ps', '-aq']), '');
});
