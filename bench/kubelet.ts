// The kubelet as users run it (`skiff agent` joined to `skiff server`): pod startup latency — pod
// creation sent → all containers running, observed by a watch — for 100 busybox pods created at
// 5 pods/s on one node (Kubernetes' SLO: p99 ≤ 5 s; issue 10's targets: p50 ≤ 300 ms, p99 ≤ 1 s), and
// the agent's RSS with the 100 pods running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clientFromKubeconfig, type WatchHandle } from '../src/client/index.js';
import { cleanupNode } from '../src/kubelet/index.js';
import { makeTempDir, REPO_ROOT, startTestServer } from '../test/lib/index.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';

const PODS = 100;
const RATE_PER_SEC = 5;

function rssMb(pid: number): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return m ? Number(m[1]) / 1024 : NaN;
}

interface PodEvent {
  metadata: { name: string };
  status?: { containerStatuses?: Array<{ state?: { running?: unknown } }> };
}

export const benchmark: Benchmark = {
  name: 'kubelet',
  description: `pod startup latency, ${PODS} busybox pods at ${RATE_PER_SEC}/s on one skiff agent; agent RSS with them running`,
  async run(): Promise<BenchRow[]> {
    const server = await startTestServer();
    const dataDir = makeTempDir('bench-kubelet');
    const node = `bench-node-${process.pid}`;
    const podCIDR = `10.${200 + (process.pid % 50)}.${(process.pid >> 6) % 250}.0/24`;
    const serviceCIDR = `10.${150 + (process.pid % 40)}.0.0/16`;
    const agent = spawn(
      path.join(REPO_ROOT, 'bin/skiff'),
      ['agent', '--server', server.url, '--token-file', path.join(server.dataDir, 'server', 'token'), '--data-dir', dataDir, '--node-name', node, '--node-ip', '127.0.0.1',
        '--kubelet-port', '0', '--pod-cidr', podCIDR, '--service-cidr', serviceCIDR, '--cluster-dns', serviceCIDR.replace('0.0/16', '0.10'),
        '--kube-proxy-metrics-port', '0', '--ingress-http-port', '0', '--ingress-https-port', '0'],
      // From sources: the built bundle may predate the kubelet.
      { env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const rest = clientFromKubeconfig(server.kubeconfig);
    let watch: WatchHandle | undefined;
    try {
      let out = '';
      agent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      agent.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 60_000;
      while (!out.includes('ready')) {
        if (agent.exitCode !== null || Date.now() > deadline) throw new Error(`skiff agent did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const sent = new Map<string, number>();
      const running = new Map<string, number>();
      let allRunning: () => void = () => undefined;
      const done = new Promise<void>((r) => (allRunning = r));
      watch = rest.watch<PodEvent>({ path: '/api/v1/namespaces/default/pods' }, {
        onEvent: (e) => {
          const name = e.object.metadata.name;
          const cs = e.object.status?.containerStatuses ?? [];
          if (!running.has(name) && cs.length && cs.every((s) => s.state?.running)) {
            running.set(name, performance.now());
            if (running.size === PODS) allRunning();
          }
        },
        onClose: () => undefined,
      });
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      for (let i = 0; i < PODS; i++) {
        const name = `bench-${i}`;
        const wait = t0 + (i * 1000) / RATE_PER_SEC - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sent.set(name, performance.now());
        void rest.request({
          method: 'POST',
          path: '/api/v1/namespaces/default/pods',
          body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] } },
        });
      }
      await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`only ${running.size}/${PODS} pods running after 5 minutes`)), 300_000))]);
      const latencies = [...running].map(([name, t]) => t - sent.get(name)!).sort((a, b) => a - b);
      const rss = rssMb(agent.pid!);
      return [
        { metric: `pod startup p50 (${PODS} pods at ${RATE_PER_SEC}/s)`, unit: 'ms', skiff: percentile(latencies, 50), lowerIsBetter: true, target: '≤ 300' },
        { metric: `pod startup p99 (${PODS} pods at ${RATE_PER_SEC}/s)`, unit: 'ms', skiff: percentile(latencies, 99), lowerIsBetter: true, target: '≤ 1000 (SLO ≤ 5000)' },
        { metric: `agent RSS with ${PODS} pods`, unit: 'MB', skiff: rss, lowerIsBetter: true },
      ];
    } finally {
      watch?.stop();
      rest.close();
      if (agent.exitCode === null) {
        const exited = new Promise((r) => agent.once('exit', r));
        agent.kill('SIGKILL');
        await exited;
      }
      await cleanupNode(dataDir, podCIDR, serviceCIDR).catch(() => undefined);
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
