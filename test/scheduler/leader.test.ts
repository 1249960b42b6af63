// Two schedulers with leader election on one real server: only the Lease holder schedules; when it
// stops (releasing the Lease) the other takes over; the Lease is visible in kube-system.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startTestServer, kubectlOk, REPO_ROOT, type TestServer } from '../lib/index.js';
import { clientFromKubeconfig, ResourceClient, refs, type RestClient } from '../../src/client/index.js';
import { startScheduler, type Pod } from '../../src/scheduler/index.js';

process.env.SKIFF_QUIET = '1';
let server: TestServer;
let rest: RestClient;

before(async () => {
  server = await startTestServer();
  rest = clientFromKubeconfig(server.kubeconfig);
});
after(async () => {
  rest?.close();
  await server?.stop();
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('skiff hollow-nodes registers nodes until interrupted', async () => {
  const child = spawn(path.join(REPO_ROOT, 'bin/skiff'), ['hollow-nodes', '--count', '2', '--kubeconfig', server.kubeconfig, '--name-prefix', 'le-', '--cpu', '2', '--memory', '4Gi', '--pods', '10'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('hollow-nodes ready', async () => (out.includes('2 hollow nodes registered (le-0 .. le-1)') ? true : undefined), 60_000);
    const nodes = await kubectlOk('1.33', server.kubeconfig, ['get', 'nodes', '-o', 'jsonpath={.items[*].status.allocatable.cpu}']);
    assert.equal(nodes, '2 2');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const bad = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const c = spawn(path.join(REPO_ROOT, 'bin/skiff'), ['hollow-nodes', '--kubeconfig', server.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.once('exit', (code) => resolve({ code, err }));
  });
  assert.equal(bad.code, 125);
  assert.match(bad.err, /--count N \(N >= 1\) is required/);
});

// Uses the nodes the previous test registered (they stay after its process ends).
test('only the Lease holder schedules; the standby takes over when the leader stops', async () => {
  const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };
  const a = await startScheduler({ client: rest, leaderElection: { ...timing, identity: 'sched-a' } });
  await waitFor('a leads', async () => a.current());
  const b = await startScheduler({ client: rest, leaderElection: { ...timing, identity: 'sched-b' } });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(b.current(), undefined, 'the standby does not schedule');
    const holder = await kubectlOk('1.33', server.kubeconfig, ['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
    assert.equal(holder, 'sched-a');
    await a.stop();
    await waitFor('b leads', async () => b.current(), 5000);
    const pods = new ResourceClient<Pod>(rest, refs.pods);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-failover', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const node = await waitFor('pod scheduled by b', async () => (await pods.get('after-failover')).spec.nodeName || undefined);
    assert.match(node, /^le-\d$/);
  } finally {
    await a.stop();
    await b.stop();
  }
});
