// The CRI-shaped runtime on real runc + conmon: a sandbox whose containers share its network, IPC and
// UTS namespaces and its /etc files and /dev/shm, CRI-format logs, exec sync, streaming exec with a pty,
// attach.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { Engine, Runtime } from '../../src/engine/index.js';
import { destroyRoot, eventually, makeRoot } from './helpers.js';

let root = '';
let engine: Engine;
let rt: Runtime;
before(async () => {
  root = await makeRoot('cri');
  engine = new Engine({ root });
  rt = new Runtime(engine);
});
after(async () => {
  engine?.close();
  await destroyRoot(root);
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (d: Buffer) => (buf += d.toString()));
  return { stream, text: () => buf };
}

test('a sandbox and its containers share network, IPC and UTS namespaces and /etc files', async () => {
  const logDir = path.join(root, 'pod-logs');
  fs.mkdirSync(logDir);
  const sb = await rt.runPodSandbox({
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 0 },
    hostname: 'web-pod',
    logDirectory: logDir,
    dnsConfig: { servers: ['127.0.0.53'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] },
    labels: { app: 'web' },
  });
  const status = rt.podSandboxStatus(sb);
  assert.equal(status.state, 'SANDBOX_READY');
  assert.deepEqual(status.metadata, { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 0 });
  assert.deepEqual(status.labels, { app: 'web' });
  assert.equal(rt.listPodSandbox({ labelSelector: { app: 'web' } }).length, 1);

  await rt.pullImage('busybox');
  const a = await rt.createContainer(sb, {
    metadata: { name: 'a', attempt: 0 },
    image: 'busybox',
    command: ['sh', '-c'],
    args: ['echo started; echo oops >&2; exec sleep 300'],
    envs: [{ key: 'ROLE', value: 'a' }],
    logPath: 'a/0.log',
    labels: { c: 'a' },
    linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024 } },
  });
  const b = await rt.createContainer(sb, { metadata: { name: 'b', attempt: 0 }, image: 'busybox', command: ['sleep', '300'] });
  assert.equal(rt.containerStatus(a).state, 'CONTAINER_CREATED');
  fs.mkdirSync(path.join(logDir, 'a'));
  await rt.startContainer(a);
  await rt.startContainer(b);
  assert.equal(rt.containerStatus(a).state, 'CONTAINER_RUNNING');
  assert.deepEqual(rt.listContainers({ podSandboxId: sb }).map((s) => s.metadata.name).sort(), ['a', 'b']);
  assert.deepEqual(rt.listContainers({ labelSelector: { c: 'a' } }).map((s) => s.id), [a]);

  const ns = async (id: string, kind: string): Promise<string> => (await rt.execSync(id, ['readlink', `/proc/1/ns/${kind}`])).stdout.toString();
  const nsOf = (pid: number, kind: string): string => fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
  const sbPid = engine.containers.get(sb).State.Pid;
  for (const kind of ['net', 'ipc', 'uts']) {
    assert.equal(nsOf(rt.containerStatus(a).pid, kind), nsOf(sbPid, kind), kind);
    assert.equal(nsOf(rt.containerStatus(b).pid, kind), nsOf(sbPid, kind), kind);
  }
  assert.notEqual(await ns(a, 'pid'), await ns(b, 'pid'));
  assert.equal((await rt.execSync(b, ['hostname'])).stdout.toString(), 'web-pod\n');
  assert.equal(
    (await rt.execSync(a, ['cat', '/etc/resolv.conf'])).stdout.toString(),
    'nameserver 127.0.0.53\nsearch default.svc.cluster.local\noptions ndots:5\n',
  );

  // CRI log format in the kubelet's path: <time> <stream> <P|F> <message>.
  const logFile = path.join(logDir, 'a/0.log');
  await eventually('log lines', () => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('oops'));
  const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n');
  assert.match(lines.find((l) => l.includes('started'))!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d stdout F started$/);
  assert.match(lines.find((l) => l.includes('oops'))!, / stderr F oops$/);

  const sync = await rt.execSync(a, ['sh', '-c', 'echo $ROLE; echo e >&2; exit 4']);
  assert.deepEqual([sync.stdout.toString(), sync.stderr.toString(), sync.exitCode], ['a\n', 'e\n', 4]);
  const slow = await rt.execSync(a, ['sleep', '30'], 1);
  assert.equal(slow.timedOut, true);

  // Streaming exec with a pty: resize reaches the process, output arrives from the first byte.
  const out = collect();
  const session = await rt.exec(a, ['sh', '-c', 'sleep 0.5; stty size; tty; echo end'], { tty: true }, { stdout: out.stream });
  session.resize(33, 111);
  assert.equal(await session.exit, 0);
  assert.match(out.text(), /33 111\r\n\/dev\/pts\/\d+\r\nend/);

  // Streaming exec with stdin, stdout and stderr kept apart.
  const o2 = collect();
  const e2 = collect();
  const s2 = await rt.exec(a, ['sh', '-c', 'read x; echo got:$x; echo err:$x >&2; exit 5'], { stdin: true }, { stdout: o2.stream, stderr: e2.stream });
  s2.attach.write(Buffer.from('hello\n'));
  assert.equal(await s2.exit, 5);
  assert.equal(o2.text(), 'got:hello\n');
  assert.equal(e2.text(), 'err:hello\n');

  await rt.updateContainerResources(a, { memoryLimitInBytes: 48 * 1024 * 1024 });
  assert.equal(engine.containers.get(a).HostConfig.Memory, 48 * 1024 * 1024);
  const stats = rt.containerStats(a);
  assert.ok(stats.memoryUsageBytes > 0 && stats.cpuUsageCoreNanoSeconds > 0n && stats.pids >= 1, JSON.stringify(stats, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));

  await rt.stopContainer(a, 1);
  const stopped = rt.containerStatus(a);
  assert.equal(stopped.state, 'CONTAINER_EXITED');
  assert.equal(stopped.exitCode, 137);
  assert.equal(stopped.reason, 'Error');

  await rt.stopPodSandbox(sb);
  assert.equal(rt.podSandboxStatus(sb).state, 'SANDBOX_NOTREADY');
  assert.equal(rt.containerStatus(b).state, 'CONTAINER_EXITED');
  await rt.removePodSandbox(sb);
  assert.equal(rt.listPodSandbox().length, 0);
  assert.equal(rt.listContainers().length, 0);
  assert.ok(rt.listImages().some((i) => i.repoTags.includes('busybox:latest')));
});

test('attach streams a running container\'s output and feeds its stdin', async () => {
  const sb = await rt.runPodSandbox({ metadata: { name: 'att', namespace: 'default', uid: 'uid-2', attempt: 0 } });
  const c = await rt.createContainer(sb, {
    metadata: { name: 'cat', attempt: 0 },
    image: 'busybox',
    command: ['sh', '-c', 'while read l; do echo "echo:$l"; done'],
    stdin: true,
  });
  await rt.startContainer(c);
  const out = collect();
  const { session } = await rt.attach(c, { stdout: out.stream });
  session.write(Buffer.from('ping\n'));
  await eventually('echoed line', () => out.text().includes('echo:ping'));
  session.close();
  await rt.removePodSandbox(sb);
});

test('a sandbox\'s /dev/shm is its own 64 MB tmpfs on the host, shared by its containers unless one mounts a volume there; a stale one is released', async () => {
  const sb = await rt.runPodSandbox({ metadata: { name: 'shm', namespace: 'default', uid: 'uid-shm', attempt: 0 } });
  const shm = path.join(root, 'sandboxes', sb, 'shm');
  const mount = (): string[] | undefined => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[4] === shm);
  const fields = mount();
  assert.ok(fields, `${shm} is a mount point`);
  assert.match(fields[5], /(^|,)nosuid(,|$)/);
  assert.match(fields[5], /(^|,)nodev(,|$)/);
  assert.match(fields[5], /(^|,)noexec(,|$)/);
  assert.equal(fields[fields.indexOf('-') + 1], 'tmpfs');
  assert.match(fields[fields.indexOf('-') + 3], /(^|,)size=65536k(,|$)/);
  assert.equal(fs.statSync(shm).mode & 0o7777, 0o1777);

  const own = path.join(root, 'own-shm');
  fs.mkdirSync(own);
  const a = await rt.createContainer(sb, { metadata: { name: 'a', attempt: 0 }, image: 'busybox', command: ['sleep', '300'] });
  const b = await rt.createContainer(sb, { metadata: { name: 'b', attempt: 0 }, image: 'busybox', command: ['sleep', '300'], mounts: [{ containerPath: '/dev/shm/', hostPath: own }] });
  await rt.startContainer(a);
  await rt.startContainer(b);
  assert.deepEqual(rt.containerStatus(a).mounts.filter((m) => m.containerPath === '/dev/shm').map((m) => m.hostPath), [shm]);
  assert.equal((await rt.execSync(a, ['sh', '-c', 'echo from-a > /dev/shm/note'])).exitCode, 0);
  assert.equal(fs.readFileSync(path.join(shm, 'note'), 'utf8'), 'from-a\n');
  assert.equal((await rt.execSync(b, ['sh', '-c', 'echo from-b > /dev/shm/note'])).exitCode, 0);
  assert.equal(fs.readFileSync(path.join(own, 'note'), 'utf8'), 'from-b\n', 'the container\'s own mount wins');

  // The infra container removed behind the runtime's back: its shm stays until the next sweep.
  for (const id of [a, b, sb]) await engine.containers.remove(id, { force: true });
  assert.ok(mount(), 'still mounted');
  rt.releaseStaleSandboxShms();
  assert.equal(mount(), undefined);
  assert.equal(fs.existsSync(path.dirname(shm)), false);
});
