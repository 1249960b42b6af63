// Lifecycle verbs of the real docker CLI through the API: -it under a pty, pause/unpause, restart,
// kill with a signal, wait, rename, attach, top/stats/diff/export, and container prune; ps filters, top
// and prune answer the same through docker and through skiff's own verbs (one engine function each).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { skiff } from '../engine/helpers.js';
import { docker, dockerOk, dockerTty, startService, type Service } from './helpers.js';

let svc: Service;

before(async () => {
  svc = await startService('dapi-life');
});

after(async () => {
  await svc?.stop();
});

test('docker run -it and docker exec -it get a terminal; exit codes come through', async () => {
  const run = await dockerTty(svc, "docker run --rm -it busybox sh -c 'tty; echo ran-ok'");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\/dev\/pts\/\d+\r?\n/);
  assert.match(run.stdout, /ran-ok/);
  await dockerOk(svc, ['run', '-d', '--name', 'ttybox', 'busybox', 'sleep', '60']);
  const exec = await dockerTty(svc, "docker exec -it ttybox sh -c 'tty; exit 4'");
  assert.equal(exec.code, 4, exec.stdout + exec.stderr);
  assert.match(exec.stdout, /\/dev\/pts\/\d+/);
  await dockerOk(svc, ['rm', '-f', 'ttybox']);
});

test('pause shows Paused, unpause resumes, restart runs the command again', async () => {
  await dockerOk(svc, ['run', '-d', '--name', 'pauser', 'busybox', 'sh', '-c', 'echo boot; sleep 60']);
  await dockerOk(svc, ['pause', 'pauser']);
  assert.match(await dockerOk(svc, ['ps', '--format', '{{.Status}}']), /\(Paused\)$/);
  const exec = await docker(svc, ['exec', 'pauser', 'true']);
  assert.equal(exec.code, 1);
  assert.match(exec.stderr, /is paused, unpause the container before exec/);
  await dockerOk(svc, ['unpause', 'pauser']);
  assert.equal(await dockerOk(svc, ['inspect', '-f', '{{.State.Status}}', 'pauser']), 'running');
  await dockerOk(svc, ['restart', '-t', '1', 'pauser']);
  let logs = '';
  for (let i = 0; i < 50 && logs !== 'boot\nboot'; i++) {
    logs = await dockerOk(svc, ['logs', 'pauser']);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(logs, 'boot\nboot');
  await dockerOk(svc, ['rm', '-f', 'pauser']);
});

test('kill -s delivers the signal; wait prints the exit code; rename and start again', async () => {
  await dockerOk(svc, ['run', '-d', '--name', 'trapper', 'busybox', 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; while true; do sleep 0.1; done']);
  await new Promise((r) => setTimeout(r, 500));
  await dockerOk(svc, ['kill', '-s', 'TERM', 'trapper']);
  assert.equal(await dockerOk(svc, ['wait', 'trapper']), '7');
  assert.equal(await dockerOk(svc, ['logs', 'trapper']), 'got TERM');
  await dockerOk(svc, ['rename', 'trapper', 'trapped']);
  assert.equal(await dockerOk(svc, ['ps', '-a', '--format', '{{.Names}} {{.Status}}', '--filter', 'name=trapped']).then((s) => s.replace(/ago$/, '').split(' ').slice(0, 3).join(' ')), 'trapped Exited (7)');
  assert.equal(await dockerOk(svc, ['start', 'trapped']), 'trapped');
  await dockerOk(svc, ['kill', 'trapped']);
  assert.equal(await dockerOk(svc, ['wait', 'trapped']), '137');
  const dead = await docker(svc, ['kill', 'trapped']);
  assert.equal(dead.code, 1);
  assert.match(dead.stderr, /is not running/);
  await dockerOk(svc, ['rm', 'trapped']);
});

test('docker attach follows a running container to its end and returns its exit code', async () => {
  await dockerOk(svc, ['run', '-d', '--name', 'attached', 'busybox', 'sh', '-c', 'sleep 1; echo late; exit 2']);
  const r = await docker(svc, ['attach', 'attached']);
  assert.equal(r.stdout, 'late\n');
  assert.equal(r.code, 2);
  await dockerOk(svc, ['rm', 'attached']);
});

test('top, stats --no-stream, diff and export describe a running container', async () => {
  await dockerOk(svc, ['run', '-d', '--name', 'probe', 'busybox', 'sh', '-c', 'touch /root/demo.txt; sleep 60']);
  const top = await dockerOk(svc, ['top', 'probe']);
  assert.match(top.split('\n')[0], /^UID\s+PID\s+PPID/);
  assert.match(top, /sleep 60/);
  const stats = await dockerOk(svc, ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.MemUsage}}', 'probe']);
  assert.match(stats, /^probe [1-9]\d* [\d.]+[KMG]?i?B \/ [\d.]+[KMG]iB$/);
  const diff = await dockerOk(svc, ['diff', 'probe']);
  assert.match(diff, /^A \/root\/demo\.txt$/m);
  const exported = spawnSync('sh', ['-c', 'docker export probe | tar -t'], { env: svc.env, encoding: 'utf8' });
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, /^\.?\/?root\/demo\.txt$/m);
  await dockerOk(svc, ['rm', '-f', 'probe']);
});

test('container prune and system prune remove stopped containers only', async () => {
  await dockerOk(svc, ['run', '--name', 'stopped1', 'busybox', 'true']);
  await dockerOk(svc, ['run', '-d', '--name', 'running1', 'busybox', 'sleep', '60']);
  const out = await dockerOk(svc, ['container', 'prune', '-f']);
  assert.match(out, /Deleted Containers:/);
  assert.equal(await dockerOk(svc, ['ps', '-a', '--format', '{{.Names}}']), 'running1');
  await dockerOk(svc, ['run', '--name', 'stopped2', 'busybox', 'true']);
  assert.match(await dockerOk(svc, ['system', 'prune', '-f']), /Total reclaimed space/);
  assert.equal(await dockerOk(svc, ['ps', '-a', '--format', '{{.Names}}']), 'running1');
  await dockerOk(svc, ['rm', '-f', 'running1']);
});

test('logs -f follows a container to its end; events reports its lifecycle', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await dockerOk(svc, ['run', '-d', '--name', 'follower', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.3; done']);
  const followed = await docker(svc, ['logs', '-f', 'follower']);
  assert.equal(followed.code, 0, followed.stderr);
  assert.equal(followed.stdout, 'tick 1\ntick 2\ntick 3\n');
  const events = await dockerOk(svc, ['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=follower', '--format', '{{.Action}}']);
  assert.deepEqual(events.split('\n').filter((a) => ['create', 'start', 'die'].includes(a)), ['create', 'start', 'die']);
  // The same log through skiff's own verb; values of one filter key are alternatives in both.
  const window = ['--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=follower', '--filter', 'event=start', '--filter', 'event=die', '--format', '{{.Action}}'];
  assert.equal(await dockerOk(svc, ['events', ...window]), 'start\ndie');
  const viaSkiff = await skiff(svc.root, ['events', ...window]);
  assert.equal(viaSkiff.stdout, 'start\ndie\n', viaSkiff.stderr);
  await dockerOk(svc, ['rm', 'follower']);
});

test('docker exec -e -u -w and -d reach the process', async () => {
  await dockerOk(svc, ['run', '-d', '--name', 'execopts', 'busybox', 'sleep', '60']);
  assert.equal(await dockerOk(svc, ['exec', '-e', 'GREETING=hi there', '-u', '1000:1000', '-w', '/tmp', 'execopts', 'sh', '-c', 'echo "$GREETING"; id -u; pwd']), 'hi there\n1000\n/tmp');
  await dockerOk(svc, ['exec', '-d', 'execopts', 'sh', '-c', 'sleep 0.2; touch /root/detached']);
  let seen = '';
  for (let i = 0; i < 50 && !seen; i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = (await docker(svc, ['exec', 'execopts', 'ls', '/root'])).stdout.trim();
  }
  assert.equal(seen, 'detached');
  await dockerOk(svc, ['rm', '-f', 'execopts']);
});

test('ps filters, top and container prune --filter agree between docker and skiff', async () => {
  const skiffOk = async (args: string[]): Promise<string> => {
    const r = await skiff(svc.root, args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trimEnd();
  };
  await dockerOk(svc, ['run', '--name', 'flt-a', '--label', 'grp=flt', '--label', 'k=a=b', 'busybox', 'true']);
  assert.equal((await docker(svc, ['run', '--name', 'flt-b', '--label', 'grp=flt', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
  await dockerOk(svc, ['run', '-d', '--name', 'flt-c', '--label', 'grp=flt', '-v', 'fltvol:/data', 'busybox', 'sleep', '60']);
  await dockerOk(svc, ['run', '--name', 'other', 'busybox', 'true']);
  const same = async (args: string[], want: string): Promise<void> => {
    const viaDocker = await dockerOk(svc, ['ps', '--format', '{{.Names}}', ...args]);
    assert.equal(viaDocker, want, `docker ps ${args.join(' ')}`);
    assert.equal(await skiffOk(['ps', '--format', '{{.Names}}', ...args]), want, `skiff ps ${args.join(' ')}`);
  };
  await same(['--filter', 'label=grp=flt'], 'flt-c');
  await same(['-a', '--filter', 'label=grp=flt', '--filter', 'status=exited'], 'flt-b\nflt-a');
  // Values of one key are alternatives; a label value may itself hold '='.
  await same(['-a', '--filter', 'name=flt-a', '--filter', 'name=other'], 'other\nflt-a');
  await same(['-a', '--filter', 'label=k=a=b'], 'flt-a');
  await same(['--filter', 'exited=3'], 'flt-b');
  await same(['-a', '--filter', 'volume=fltvol'], 'flt-c');
  await same(['-a', '--filter', 'since=flt-b', '--filter', 'before=other'], 'flt-c');
  await same(['-a', '-n', '2', '--filter', 'label=grp=flt'], 'flt-c\nflt-b');
  const bad = await skiff(svc.root, ['ps', '--filter', 'colour=red']);
  assert.deepEqual([bad.code, bad.stderr], [1, "Error response from daemon: invalid filter 'colour'\n"]);
  assert.match((await docker(svc, ['ps', '--filter', 'colour=red'])).stderr, /invalid filter 'colour'/);

  const viaDocker = await dockerOk(svc, ['top', 'flt-c']);
  const viaSkiff = await skiffOk(['top', 'flt-c']);
  assert.match(viaSkiff.split('\n')[0], /^UID\s+PID\s+PPID/);
  assert.deepEqual(viaSkiff.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]), viaDocker.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]));
  const stopped = await skiff(svc.root, ['top', 'flt-a']);
  assert.match(stopped.stderr, /^Error response from daemon: container [0-9a-f]{64} is not running\n$/);
  assert.match((await docker(svc, ['top', 'flt-a'])).stderr, /container [0-9a-f]{64} is not running/);

  const pruned = await skiffOk(['container', 'prune', '-f', '--filter', 'label=grp=flt']);
  assert.match(pruned, /^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
  assert.equal(await dockerOk(svc, ['ps', '-a', '--format', '{{.Names}}']), 'other\nflt-c');
  await dockerOk(svc, ['rm', '-f', 'flt-c', 'other']);
  await dockerOk(svc, ['volume', 'rm', 'fltvol']);
});
