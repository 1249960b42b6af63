// A one-node cluster as a user starts it: `skiff server` (its own scheduler and controllers) and a real
// `skiff agent --server URL --token T` process on its own data dir, pod network and kubelet port. stop()
// ends the agent by its pid, then removes every container, mount, cgroup, bridge and chain of its data dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupNode } from '../../../src/kubelet/index.js';
import { kubectl, kubectlOk, makeTempDir, REPO_ROOT, startTestServer, type KubectlResult, type KubectlVersion, type TestServer } from '../../lib/index.js';

export { eventually } from '../../controllers/workloads/cluster.js';

export interface NodeCluster {
  server: TestServer;
  node: string;
  clusterDNS: string;
  dataDir: string;
  /** kubectl 1.33 exactly as typed; fails the test on a non-zero exit. */
  k(...args: string[]): Promise<string>;
  kv(version: KubectlVersion, ...args: string[]): Promise<string>;
  kTry(...args: string[]): Promise<KubectlResult>;
  kIn(input: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface NodeClusterOptions {
  /** Run the agent's ingress controller on these loopback ports. */
  ingress?: { httpPort: number; httpsPort: number };
}

const RANGE_COUNT = 40;
const RANGE_LEASES = path.join(os.tmpdir(), 'skiff-e2e-node-ranges');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A host-wide lease on one of RANGE_COUNT address-range slots: a file created exclusively per slot,
 * holding the owner's pid (a slot whose owner died is taken over). Test files run in parallel
 * processes, and a pid-derived slot collided often enough to bind one DNS address twice.
 */
export function leaseRange(): { index: number; release(): void } {
  fs.mkdirSync(RANGE_LEASES, { recursive: true });
  const start = Math.floor(Math.random() * RANGE_COUNT);
  for (let n = 0; n < RANGE_COUNT * 2; n++) {
    const index = (start + n) % RANGE_COUNT;
    const file = path.join(RANGE_LEASES, String(index));
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { index, release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      // A dead owner's slot is free once its file is gone; the next round may create it.
      if (owner && !alive(owner)) fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`no free e2e address range: all ${RANGE_COUNT} slots under ${RANGE_LEASES} are leased`);
}

export async function startNodeCluster(name: string, options: NodeClusterOptions = {}): Promise<NodeCluster> {
  // Address ranges of this cluster's own, apart from the kubelet tests' (pods 10.200-249.x, services
  // 10.150-199), so files running in parallel never share a bridge, a route or the DNS address.
  const range = leaseRange();
  const serviceCIDR = `10.${100 + range.index}.0.0/16`;
  const clusterDNS = serviceCIDR.replace('0.0/16', '0.10');
  const podCIDR = `10.${60 + range.index}.0.0/24`;
  let server: TestServer;
  try {
    server = await startTestServer({ controlPlane: true, args: ['--service-cidr', serviceCIDR, '--cluster-dns', clusterDNS] });
  } catch (err) {
    range.release();
    throw err;
  }
  const dataDir = makeTempDir(`e2e-agent-${name}`);
  const node = `e2e-${name}-${process.pid}`;
  const token = fs.readFileSync(path.join(server.dataDir, 'server', 'token'), 'utf8').trim();
  const agent = spawn(
    path.join(REPO_ROOT, 'bin/skiff'),
    [
      'agent', '--server', server.url, '--token', token, '--data-dir', dataDir, '--node-name', node, '--node-ip', '127.0.0.1', '--kubelet-port', '0',
      '--pod-cidr', podCIDR, '--service-cidr', serviceCIDR, '--cluster-dns', clusterDNS, '--kube-proxy-metrics-port', '0',
      '--ingress-http-port', String(options.ingress?.httpPort ?? 0), '--ingress-https-port', String(options.ingress?.httpsPort ?? 0),
    ],
    { env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  agent.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async (): Promise<void> => {
    if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGTERM');
    const force = setTimeout(() => agent.kill('SIGKILL'), 15_000);
    await exited(agent);
    clearTimeout(force);
    await cleanupNode(dataDir, podCIDR).catch(() => undefined);
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    range.release();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`skiff agent did not become ready:\n${output}`)), 60_000);
      const onData = (): void => {
        if (output.includes(`node ${node} ready`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      agent.stdout!.on('data', onData);
      agent.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`skiff agent exited (${code ?? signal}):\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const kc = server.kubeconfig;
  return {
    server,
    node,
    clusterDNS,
    dataDir,
    k: (...args) => kubectlOk('1.33', kc, args),
    kv: (version, ...args) => kubectlOk(version, kc, args),
    kTry: (...args) => kubectl('1.33', kc, args),
    kIn: (input, ...args) => kubectlOk('1.33', kc, args, { input }),
    stop,
  };
}

/**
 * Network safety (DESIGN.md §5): before a pod sends anything to a ClusterIP or the cluster DNS address,
 * the host must not route that address off the machine (the agent routes the service CIDR to its service
 * bridge, or an `unreachable` route holds it). Throws, before any traffic, when it would leave by the
 * host's default route.
 */
export function assertServiceIPContained(ip: string): void {
  const egress = /\bdev (\S+)/.exec(spawnSync('ip', ['-o', 'route', 'show', 'default'], { encoding: 'utf8' }).stdout)?.[1];
  const r = spawnSync('ip', ['-o', 'route', 'get', ip], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  const contained = /unreachable|prohibit|blackhole|No route to host|Network is unreachable/.test(out) || (/\bdev \S+/.test(out) && !(egress && out.includes(`dev ${egress} `)));
  if (!contained) throw new Error(`refusing to send traffic to ${ip}: the host routes it off the machine (${out.trim()})`);
}
