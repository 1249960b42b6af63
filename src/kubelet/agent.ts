// `startAgent`: one node — registers the Node, keeps it Ready (status + Lease every 10 s), runs the
// kubelet's pod manager on the engine's runtime and serves the streaming endpoints the API server
// proxies to. Used by `skiff agent` and by the built-in agent of `skiff server`.
import os from 'node:os';
import path from 'node:path';
import { isNotFound, ResourceClient, refs, RestClient, type ClientConfig } from '../client/index.js';
import type { Engine } from '../engine/index.js';
import { engineRegistrySettings, pullToEngine, silentProgress } from '../registry/index.js';
import type { ProxyMode } from '../proxy/index.js';
import { hostNames } from './host-names.js';
import { startNodeServices } from './node-services.js';
import { defaultPodCIDR, openNodeEngine, podNetwork } from './pod-network.js';
import { Kubelet } from './kubelet.js';
import { CachedRuntime } from './runtime-cache.js';
import { assignedPodCIDR, createNode, HEARTBEAT_MS, machineFacts, registerNode, renewLease, updateNodeStatus, type NodeFacts, type NodeObject } from './node-status.js';
import { startStreamingServer } from './streaming/server.js';

export interface AgentOptions {
  /** How to reach the API server (a join token or the admin's client certificate). */
  client: ClientConfig;
  /** The cluster's join token: the API server presents it when it proxies to this kubelet. */
  token: string;
  dataDir: string;
  /**
   * The node's pod network; default: the Node's spec.podCIDR as the node IPAM controller assigns it,
   * else (no IPAM in the cluster) a /24 of clusterCIDR chosen from the data dir.
   */
  podCIDR?: string;
  /** Default 10.42.0.0/16. */
  clusterCIDR?: string;
  nodeName?: string;
  /** The address the API server reaches the kubelet at (default: 127.0.0.1). */
  nodeIP?: string;
  /** Kubelet port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
  controlPlane?: boolean;
  clusterDNS?: string;
  clusterDomain?: string;
  /** Static pod manifests (watched); default <data-dir>/agent/pod-manifests, as k3s has it. */
  podManifestPath?: string;
  /** Run the service proxy, cluster DNS and (with ingress ports) the ingress controller; off = pods only. */
  services?: {
    serviceCIDR?: string;
    proxyMode?: ProxyMode;
    metricsPort?: number;
    dnsPort?: number;
    ingress?: { httpPort: number; httpsPort: number };
  };
  log?: (message: string) => void;
}

export interface AgentHandle {
  nodeName: string;
  kubeletPort: number;
  kubelet: Kubelet;
  engine: Engine;
  podCIDR: string;
  /** The proxy's metrics port when services run. */
  metricsPort?: number;
  /** Stops the agent; containers keep running and are re-adopted by the next start. */
  stop(): Promise<void>;
}

/** How long a new node waits for the node IPAM controller before it picks its own podCIDR. */
const POD_CIDR_WAIT_MS = 5000;

export function defaultPodManifestPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'agent', 'pod-manifests');
}

export async function startAgent(o: AgentOptions): Promise<AgentHandle> {
  const log = o.log ?? ((m: string) => process.stderr.write(`agent: ${m}\n`));
  const nodeName = (o.nodeName ?? os.hostname()).toLowerCase();
  const nodeIP = o.nodeIP ?? '127.0.0.1';
  const client = new RestClient({ ...o.client, userAgent: `skiff-kubelet/${nodeName}` });
  let existing: NodeObject | undefined;
  try {
    existing = await new ResourceClient<NodeObject>(client, refs.nodes).get(nodeName);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const machine = machineFacts(o.dataDir);
  const facts: NodeFacts = {
    name: nodeName,
    ip: nodeIP,
    kubeletPort: 0,
    controlPlane: o.controlPlane ?? false,
    ...machine,
    podCIDR: existing?.spec?.podCIDR ?? o.podCIDR,
    maxPods: 110,
    runtimeVersion: 'skiff://0.1.0',
  };
  if (!facts.podCIDR) {
    // The node IPAM controller assigns podCIDRs to Nodes it sees: register, then wait for one.
    await createNode(client, facts);
    facts.podCIDR = (await assignedPodCIDR(client, nodeName, POD_CIDR_WAIT_MS)) ?? defaultPodCIDR(o.clusterCIDR ?? '10.42.0.0/16', o.dataDir);
  }
  const podCIDR = facts.podCIDR;
  const network = podNetwork(o.dataDir, podCIDR);
  const engine = openNodeEngine(o.dataDir, network);
  // Registry settings (mirrors, insecure registries) come from the node engine's daemon.json.
  const runtime = new CachedRuntime(engine, async (ref, auth) => {
    const credentials = auth?.username !== undefined ? { username: auth.username, password: auth.password ?? '' } : undefined;
    await pullToEngine(engine, ref, { settings: engineRegistrySettings(engine.paths.root), progress: silentProgress, credentials: credentials && (() => credentials) });
  });
  const kubelet = new Kubelet({
    client,
    runtime,
    nodeName,
    nodeIP,
    stateDir: path.join(path.resolve(o.dataDir), 'agent'),
    podNetwork: network.net.name,
    clusterDNS: o.clusterDNS ?? '10.43.0.10',
    clusterDomain: o.clusterDomain ?? 'cluster.local',
    memoryCapacity: machine.memoryBytes,
    allocatable: { cpu: String(machine.cpus), memory: String(machine.memoryBytes), 'ephemeral-storage': String(machine.diskBytes) },
    podManifestPath: path.resolve(o.podManifestPath ?? defaultPodManifestPath(o.dataDir)),
    log,
  });
  const streaming = await startStreamingServer(kubelet, { port: o.kubeletPort ?? 10250, host: nodeIP === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', token: o.token });
  facts.kubeletPort = streaming.port;
  let node = await registerNode(client, facts);
  await renewLease(client, node);
  await kubelet.start();
  const services = o.services
    ? await startNodeServices({
        rest: client,
        nodeName,
        nodeIP,
        names: hostNames(o.dataDir),
        clusterCIDR: o.clusterCIDR ?? '10.42.0.0/16',
        serviceCIDR: o.services.serviceCIDR ?? '10.43.0.0/16',
        clusterDNS: o.clusterDNS ?? '10.43.0.10',
        clusterDomain: o.clusterDomain ?? 'cluster.local',
        proxyMode: o.services.proxyMode ?? 'iptables',
        metricsPort: o.services.metricsPort,
        dnsPort: o.services.dnsPort,
        ingress: o.services.ingress ? { ...o.services.ingress, stateDir: path.join(path.resolve(o.dataDir), 'agent', 'ingress') } : undefined,
      })
    : undefined;
  let stopped = false;
  const heartbeat = setInterval(() => {
    void (async () => {
      try {
        node = await updateNodeStatus(client, facts, node);
        await renewLease(client, node);
      } catch (err) {
        if (!stopped) log(`heartbeat: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
  }, HEARTBEAT_MS);
  return {
    nodeName,
    kubeletPort: streaming.port,
    kubelet,
    engine,
    podCIDR,
    metricsPort: services?.metricsPort,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      await services?.stop();
      await kubelet.stop();
      await streaming.close();
      client.close();
      engine.close();
    },
  };
}
