// `skiff agent` as users run it (joining with the token file and the server's /cacerts): killing the
// agent leaves its containers running, and the restarted agent re-adopts them (same container, no
// restart) and serves exec again; a pod deleted while the agent was down is cleaned up on restart (its
// /dev/shm unmounted too), and `skiff cleanup` leaves no mount of the data dir behind.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanupNode } from '../../src/kubelet/index.js';
import { kubectlOk, makeTempDir, REPO_ROOT, startTestServer, type TestServer } from '../lib/index.js';
import { podManifest, waitFor } from './helpers.js';

let server: TestServer;
let dataDir = '';
let agent: ChildProcess | undefined;
const node = `node-restart-${process.pid}`;
const podCIDR = `10.${200 + ((process.pid + 7) % 50)}.${((process.pid >> 6) + 3) % 250}.0/24`;
// Node services on addresses and ports of this run only.
const serviceCIDR = `10.${190 + (process.pid % 10)}.0.0/16`;
const serviceArgs = ['--service-cidr', serviceCIDR, '--cluster-dns', serviceCIDR.replace('0.0/16', '0.10'), '--kube-proxy-metrics-port', '0', '--ingress-http-port', '0', '--ingress-https-port', '0'];

async function startAgentProcess(): Promise<ChildProcess> {
  const child = spawn(
    path.join(REPO_ROOT, 'bin/skiff'),
    ['agent', '--server', server.url, '--token-file', path.join(server.dataDir, 'server', 'token'), '--data-dir', dataDir, '--node-name', node, '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--pod-cidr', podCIDR, ...serviceArgs],
    { env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(`agent ready (${out})`, async () => out.includes('ready') || child.exitCode !== null, 60_000);
  if (child.exitCode !== null) throw new Error(`skiff agent exited: ${out}`);
  return child;
}

async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await exited;
}

before(async () => {
  server = await startTestServer();
  dataDir = makeTempDir('kubelet-restart');
});
after(async () => {
  await kill(agent, 'SIGKILL');
  await cleanupNode(dataDir, podCIDR, serviceCIDR).catch(() => undefined);
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a killed agent leaves pods running; the restarted agent re-adopts them', async () => {
  const k = (args: string[], input?: string): Promise<string> => kubectlOk('1.33', server.kubeconfig, args, { input });
  agent = await startAgentProcess();
  const busybox = { image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] };
  await k(['apply', '-f', '-'], podManifest('survivor', node, { containers: [{ name: 'main', ...busybox }] }));
  await k(['apply', '-f', '-'], podManifest('goner', node, { containers: [{ name: 'main', ...busybox }] }));
  const idOf = async (name: string): Promise<string> => k(['get', 'pod', name, '-o', 'jsonpath={.status.containerStatuses[0].containerID}']);
  await waitFor('pods Running', async () => (await k(['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}'])) === 'Running Running');
  const before = await idOf('survivor');
  assert.match(before, /^skiff:\/\/[0-9a-f]{64}$/);
  const podIP = await k(['get', 'pod', 'survivor', '-o', 'jsonpath={.status.podIP}']);
  assert.ok(podIP.startsWith(podCIDR.split('.').slice(0, 3).join('.') + '.'), `pod IP ${podIP} is in ${podCIDR}`);

  await k(['exec', 'survivor', '--', 'sh', '-c', 'echo kept > /dev/shm/note']);
  const shmMounts = (): string[] => fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(`${dataDir}/`) && l.split(' ')[1].endsWith('/shm'));
  assert.equal(shmMounts().length, 2, 'one /dev/shm tmpfs per pod');

  await kill(agent, 'SIGKILL');
  await k(['delete', 'pod', 'goner', '--grace-period=0', '--force']);
  const pid = Number(fs.readFileSync(path.join(dataDir, 'engine', 'containers', before.slice('skiff://'.length), 'pidfile'), 'utf8').trim() || '0');
  assert.ok(pid > 0 && fs.existsSync(`/proc/${pid}`), 'the container outlives the agent');

  agent = await startAgentProcess();
  assert.equal(await k(['exec', 'survivor', '--', 'echo', 'still here']), 'still here\n');
  assert.equal(await idOf('survivor'), before);
  assert.equal(await k(['get', 'pod', 'survivor', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']), '0');
  const sandboxes = (): string[] => fs.readdirSync(path.join(dataDir, 'agent', 'pods'));
  await waitFor('the deleted pod cleaned up', async () => sandboxes().length === 1);
  assert.equal(shmMounts().length, 1, 'the orphan sandbox\'s /dev/shm is unmounted');
  assert.equal(await k(['exec', 'survivor', '--', 'cat', '/dev/shm/note']), 'kept\n');
  await kill(agent, 'SIGTERM');

  execFileSync(path.join(REPO_ROOT, 'bin/skiff'), ['cleanup', '--data-dir', dataDir], { stdio: 'ignore' });
  assert.deepEqual(fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(dataDir)), []);
});
