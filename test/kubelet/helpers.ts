// A real skiff server plus an in-process agent on its own engine root, for kubelet tests with the real
// kubectl. Everything the agent created (containers, mounts, cgroups) is removed in stop().
import fs from 'node:fs';
import path from 'node:path';
import { loadKubeconfig } from '../../src/client/index.js';
import { cleanupNode, startAgent, type AgentHandle } from '../../src/kubelet/index.js';
import { leaseRange } from '../e2e/seeds/node.js';
import { kubectl, kubectlOk, makeTempDir, startTestServer, type KubectlVersion, type TestServer } from '../lib/index.js';

export interface Cluster {
  server: TestServer;
  agent: AgentHandle;
  dataDir: string;
  node: string;
  k(version: KubectlVersion, args: string[], input?: string): Promise<string>;
  /** Starts the agent again on the same data dir (after stopAgent). */
  restartAgent(): Promise<void>;
  stop(): Promise<void>;
}

/** controlPlane also runs the scheduler and controllers (Jobs, ReplicaSets…). */
export async function startCluster(name: string, options: { controlPlane?: boolean; services?: boolean } = {}): Promise<Cluster> {
  // Our own service CIDR, DNS address and pod /24 from a host-wide lease shared with the e2e node
  // clusters, so the routes, bridges and DNS listeners of test files running in parallel never meet.
  const range = leaseRange();
  const serviceCIDR = `10.${150 + range.index}.0.0/16`;
  const clusterDNS = serviceCIDR.replace('0.0/16', '0.10');
  let server: TestServer;
  try {
    server = await startTestServer({ controlPlane: options.controlPlane, args: options.services ? ['--service-cidr', serviceCIDR] : [] });
  } catch (err) {
    range.release();
    throw err;
  }
  const dataDir = makeTempDir(`kubelet-${name}`);
  const node = `node-${name}-${process.pid}`;
  const podCIDR = `10.${200 + range.index}.0.0/24`;
  const client = loadKubeconfig(server.kubeconfig);
  const token = fs.readFileSync(path.join(server.dataDir, 'server', 'token'), 'utf8').trim();
  const start = (): Promise<AgentHandle> =>
    startAgent({
      client, token, dataDir, podCIDR, nodeName: node, nodeIP: '127.0.0.1', kubeletPort: 0,
      // SKIFF_TEST_AGENT_LOG=1 shows the agent's log when a test needs explaining.
      log: process.env.SKIFF_TEST_AGENT_LOG ? (m) => process.stderr.write(`agent ${node}: ${m}\n`) : () => undefined,
      ...(options.services ? { clusterDNS, services: { serviceCIDR, metricsPort: 0 } } : {}),
    });
  const cluster: Cluster = {
    server,
    agent: await start(),
    dataDir,
    node,
    k: (version, args, input) => kubectlOk(version, server.kubeconfig, args, { input }),
    async restartAgent() {
      cluster.agent = await start();
    },
    async stop() {
      await cluster.agent.stop().catch(() => undefined);
      await cleanupNode(dataDir, podCIDR, serviceCIDR).catch(() => undefined);
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      range.release();
    },
  };
  return cluster;
}

export function podManifest(name: string, node: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, ...spec } });
}

/** Polls fn until it returns a truthy value (or fails after timeoutMs). */
export async function waitFor<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export { kubectl };
