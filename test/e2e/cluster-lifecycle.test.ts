// The README's first command as a newcomer meets it (issue 12 item 1): `bin/skiff server` with its
// built-in agent prints how to use kubectl once the node is Ready and the default ServiceAccount
// exists; a Deployment behind a NodePort answers; Ctrl-C stops the control plane while the containers
// keep running; a restart keeps the objects and re-adopts the pods; `skiff cleanup` then leaves no
// chain, link, mount or conmon of that data dir. Own data dir, CIDRs and ports; everything killed by pid.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { kubectl, kubectlOk, makeTempDir, REPO_ROOT } from '../lib/index.js';
import { hostNames } from '../../src/kubelet/index.js';

const dataDir = makeTempDir('lifecycle');
const kubeconfig = path.join(dataDir, 'kubeconfig.yaml');
const names = hostNames(dataDir);
const serviceCIDR = '10.147.0.0/16';
let server: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const ports = { api: await freePort(), http: await freePort(), https: await freePort() };

async function startServer(): Promise<string> {
  const child = spawn(
    path.join(REPO_ROOT, 'bin/skiff'),
    ['server', '--data-dir', dataDir, '--https-listen-port', String(ports.api), '--bind-address', '127.0.0.1', '--cluster-cidr', '10.146.0.0/16',
      '--service-cidr', serviceCIDR, '--cluster-dns', '10.147.0.10', '--ingress-http-port', String(ports.http), '--ingress-https-port', String(ports.https)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server = child;
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready:\n${output}`)), 120_000);
    child.stdout!.on('data', () => output.includes('export KUBECONFIG=') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`server exited ${code}:\n${output}`))));
  });
  return output;
}

async function stopServer(signal: NodeJS.Signals): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(force);
}

const conmonsOfDataDir = (): number => execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.startsWith('/usr/bin/conmon') && l.includes(dataDir)).length;

after(async () => {
  await stopServer('SIGKILL');
  execFileSync(path.join(REPO_ROOT, 'bin/skiff'), ['cleanup', '--data-dir', dataDir], { stdio: 'ignore' });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('serve, stop with Ctrl-C, restart, clean up', async () => {
  const banner = await startServer();
  assert.match(banner, new RegExp(`export KUBECONFIG=${kubeconfig.replace(/[.]/g, '\\.')}`));
  // Usable the moment it says so: the node is Ready and the default ServiceAccount exists.
  assert.match(await kubectlOk('1.33', kubeconfig, ['get', 'nodes']), /\sReady\s/);
  await kubectlOk('1.33', kubeconfig, ['get', 'serviceaccount', 'default']);

  await kubectlOk('1.33', kubeconfig, ['create', 'deployment', 'kubia', '--image=busybox', '--replicas=2', '--', 'sh', '-c', 'echo "You have hit $(hostname)" > /tmp/index.html; httpd -f -p 8080 -h /tmp']);
  await kubectlOk('1.33', kubeconfig, ['expose', 'deployment', 'kubia', '--port=80', '--target-port=8080', '--type=NodePort']);
  const nodePort = await kubectlOk('1.33', kubeconfig, ['get', 'svc', 'kubia', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
  const fetchHit = async (): Promise<string> => (await fetch(`http://127.0.0.1:${nodePort}/index.html`, { signal: AbortSignal.timeout(3000) })).text();
  await until('the NodePort to answer', async () => /You have hit kubia-/.test(await fetchHit()));

  await stopServer('SIGINT');
  assert.ok(conmonsOfDataDir() >= 4, 'pods keep running after Ctrl-C');

  await startServer();
  await until('both pods Running again', async () => (await kubectlOk('1.33', kubeconfig, ['get', 'pods', '-l', 'app=kubia', '--no-headers'])).split('\n').filter((l) => /1\/1\s+Running\s+0\s/.test(l)).length === 2);
  await until('the NodePort to answer after the restart', async () => /You have hit kubia-/.test(await fetchHit()));

  await stopServer('SIGINT');
  const cleanup = execFileSync(path.join(REPO_ROOT, 'bin/skiff'), ['cleanup', '--data-dir', dataDir]).toString();
  assert.match(cleanup, /removed what/);
  assert.equal(conmonsOfDataDir(), 0);
  assert.equal(execFileSync('iptables-save').toString().includes(`${names.chainPrefix}-`), false, 'no chain of this data dir');
  assert.equal(fs.readdirSync('/sys/class/net').some((l) => l === names.podBridge || l === names.serviceBridge), false, 'no bridge of this data dir');
  assert.equal(fs.readFileSync('/proc/mounts', 'utf8').includes(dataDir), false, 'no mount of this data dir');
  assert.equal(execFileSync('ip', ['route', 'show', serviceCIDR]).toString().trim(), '');
  assert.equal((await kubectl('1.33', kubeconfig, ['get', 'nodes'], { timeoutMs: 5000 })).code !== 0, true, 'the server is stopped');
});
