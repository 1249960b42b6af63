// More of issue 10's acceptance list with the real kubectl: readiness holding READY 0/1 until a file
// appears, `exec -it` under a pty, OOMKilled, service link variables, init containers in order, and
// a Job's pod (scheduled by the real scheduler) completing, graceful deletion with preStop and hostPath.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlPath } from '../lib/index.js';
import { kubectl, podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('scen', { controlPlane: true });
});
after(async () => {
  await c?.stop();
});

const busybox = { image: 'busybox', imagePullPolicy: 'IfNotPresent' };

test('a readiness probe holds READY 0/1 until /var/ready exists', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('kubia-ready', c.node, {
    containers: [{ name: 'main', ...busybox, command: ['sleep', '3600'], readinessProbe: { exec: { command: ['ls', '/var/ready'] }, periodSeconds: 1 } }],
  }));
  await waitFor('Running', async () => /kubia-ready\s+0\/1\s+Running/.test(await c.k('1.33', ['get', 'pod', 'kubia-ready'])));
  await new Promise((r) => setTimeout(r, 2500));
  assert.match(await c.k('1.33', ['get', 'pod', 'kubia-ready']), /kubia-ready\s+0\/1\s+Running/);
  await c.k('1.33', ['exec', 'kubia-ready', '--', 'touch', '/var/ready']);
  await waitFor('READY 1/1', async () => /kubia-ready\s+1\/1\s+Running/.test(await c.k('1.33', ['get', 'pod', 'kubia-ready'])), 20_000);
});

test('exec -it runs a shell under a pty', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('tty-pod', c.node, { containers: [{ name: 'main', ...busybox, command: ['sleep', '3600'] }] }));
  await waitFor('Running', async () => (await c.k('1.33', ['get', 'pod', 'tty-pod', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  for (const v of ['1.27', '1.33'] as const) {
    const cmd = `${kubectlPath(v)} --kubeconfig=${c.server.kubeconfig} exec -it tty-pod -- sh`;
    const out = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-q', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let buf = '';
      child.stdout.on('data', (d: Buffer) => (buf += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(buf);
      });
      setTimeout(() => child.stdin.write('tty; echo marker-$((6*7))\r'), 1500);
      setTimeout(() => child.stdin.write('exit\r'), 3000);
    });
    assert.match(out, /\/dev\/pts\/\d+/, `kubectl ${v}: ${out}`);
    assert.match(out, /marker-42/);
  }
});

test('a container over its memory limit is OOMKilled', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('oom', c.node, {
    restartPolicy: 'Never',
    containers: [{ name: 'main', ...busybox, command: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived'], resources: { limits: { memory: '20Mi' } } }],
  }));
  const reason = await waitFor('terminated', async () => c.k('1.33', ['get', 'pod', 'oom', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.reason}']), 60_000);
  assert.equal(reason, 'OOMKilled');
  assert.equal(await c.k('1.33', ['get', 'pod', 'oom', '-o', 'jsonpath={.status.phase}']), 'Failed');
});

test('a pod created after a service gets its link variables; init containers run first', async () => {
  await c.k('1.33', ['create', 'service', 'clusterip', 'kubia', '--tcp=80:8080']);
  const ip = await c.k('1.33', ['get', 'svc', 'kubia', '-o', 'jsonpath={.spec.clusterIP}']);
  await c.k('1.33', ['apply', '-f', '-'], podManifest('env-pod', c.node, {
    initContainers: [{ name: 'init', ...busybox, command: ['sh', '-c', 'echo from-init > /work/msg'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    containers: [{ name: 'main', ...busybox, command: ['sh', '-c', 'cat /work/msg; exec sleep 3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    volumes: [{ name: 'work', emptyDir: {} }],
  }));
  await waitFor('Running', async () => (await c.k('1.33', ['get', 'pod', 'env-pod', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  const env = await c.k('1.33', ['exec', 'env-pod', '--', 'env']);
  assert.match(env, new RegExp(`^KUBIA_SERVICE_HOST=${ip.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(env, /^KUBIA_SERVICE_PORT=80$/m);
  assert.match(env, new RegExp(`^KUBIA_PORT_80_TCP=tcp://${ip.replace(/\./g, '\\.')}:80$`, 'm'));
  assert.equal(await waitFor('main log', async () => c.k('1.33', ['logs', 'env-pod'])), 'from-init\n');
  assert.equal(await c.k('1.33', ['get', 'pod', 'env-pod', '-o', 'jsonpath={.status.initContainerStatuses[0].state.terminated.reason}']), 'Completed');
});

test("a Job's pod is scheduled here and completes", async () => {
  await c.k('1.33', ['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'batch-job' },
    spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', ...busybox, command: ['sh', '-c', 'echo job done'] }] } } },
  }));
  await c.k('1.33', ['wait', '--for=condition=complete', 'job/batch-job', '--timeout=90s']);
  assert.equal(await c.k('1.33', ['logs', 'job/batch-job']), 'job done\n');
  assert.match(await c.k('1.33', ['get', 'pods', '-l', 'job-name=batch-job']), /Completed/);
  // The finished pod's sandbox is stopped, so it is no longer ready to start containers.
  await waitFor('PodReadyToStartContainers False', async () =>
    (await c.k('1.33', ['get', 'pods', '-l', 'job-name=batch-job', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="PodReadyToStartContainers")].status}'])) === 'False', 20_000);
});

test('deletion runs preStop, sends SIGTERM, then removes the pod; hostPath data outlives it', async () => {
  const host = fs.mkdtempSync(path.join(c.dataDir, 'hostpath-'));
  await c.k('1.33', ['apply', '-f', '-'], JSON.stringify({
    ...JSON.parse(podManifest('graceful', c.node, {
      terminationGracePeriodSeconds: 20,
      containers: [{
        name: 'main', ...busybox,
        command: ['sh', '-c', 'trap "echo got-TERM >> /host/log; exit 0" TERM; while true; do sleep 1; done'],
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo pre-stop >> /host/log'] } } },
        volumeMounts: [{ name: 'host', mountPath: '/host' }],
      }],
      volumes: [{ name: 'host', hostPath: { path: host, type: 'Directory' } }],
    })),
  }));
  await waitFor('Running', async () => (await c.k('1.33', ['get', 'pod', 'graceful', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  const started = Date.now();
  await c.k('1.33', ['delete', 'pod', 'graceful', '--timeout=60s']);
  assert.ok(Date.now() - started < 15_000, 'the container exited on SIGTERM, well before the grace period');
  assert.equal(fs.readFileSync(path.join(host, 'log'), 'utf8'), 'pre-stop\ngot-TERM\n');
  const r = await kubectl('1.33', c.server.kubeconfig, ['get', 'pod', 'graceful']);
  assert.match(r.stderr, /NotFound/);
});
