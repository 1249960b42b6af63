// This machine as a Node object (capacity, allocatable, labels, addresses, nodeInfo, conditions,
// kubelet endpoint), its registration, and the heartbeats that keep it Ready: a status update and a
// renewal of its Lease in kube-node-lease every 10 s.
import fs from 'node:fs';
import os from 'node:os';
import { isAlreadyExists, isNotFound, microTime, ResourceClient, refs, rfc3339, type RestClient } from '../client/index.js';
import type { KubeObject } from '../api/index.js';

export const KUBELET_VERSION = 'v1.33.1+skiff';
export const HEARTBEAT_MS = 10_000;
const LEASE_SECONDS = 40;

export interface NodeFacts {
  name: string;
  ip: string;
  kubeletPort: number;
  /** Adds node-role.kubernetes.io/control-plane (k3s marks server nodes so). */
  controlPlane: boolean;
  podCIDR?: string;
  cpus: number;
  memoryBytes: number;
  diskBytes: number;
  maxPods: number;
  runtimeVersion: string;
}

export interface NodeObject extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean };
  status?: Record<string, unknown>;
}

/** What the agent measures of this machine. */
export function machineFacts(dataDir: string): { cpus: number; memoryBytes: number; diskBytes: number } {
  let diskBytes = 0;
  try {
    const st = fs.statfsSync(dataDir);
    diskBytes = st.blocks * st.bsize;
  } catch {
    diskBytes = 0;
  }
  return { cpus: os.cpus().length, memoryBytes: os.totalmem(), diskBytes };
}

export function nodeCapacity(f: NodeFacts): Record<string, string> {
  return {
    cpu: String(f.cpus),
    memory: `${Math.floor(f.memoryBytes / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(f.diskBytes / 1024)}Ki`,
    pods: String(f.maxPods),
  };
}

function conditions(now: string, previous: Array<Record<string, string>> | undefined): Array<Record<string, string>> {
  const entry = (type: string, status: string, reason: string, message: string): Record<string, string> => {
    const old = previous?.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, reason, message };
  };
  return [
    entry('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    entry('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    entry('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    entry('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeStatus(f: NodeFacts, previous?: NodeObject): Record<string, unknown> {
  const capacity = nodeCapacity(f);
  const prev = previous?.status as { conditions?: Array<Record<string, string>> } | undefined;
  return {
    capacity,
    allocatable: capacity,
    conditions: conditions(rfc3339(), prev?.conditions),
    addresses: [
      { type: 'InternalIP', address: f.ip },
      { type: 'Hostname', address: f.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: readId('/etc/machine-id'),
      systemUUID: readId('/sys/class/dmi/id/product_uuid'),
      bootID: readId('/proc/sys/kernel/random/boot_id'),
      kernelVersion: os.release(),
      osImage: osImage(),
      containerRuntimeVersion: f.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: os.arch() === 'x64' ? 'amd64' : os.arch(),
    },
  };
}

export function nodeObject(f: NodeFacts): NodeObject {
  const arch = os.arch() === 'x64' ? 'amd64' : os.arch();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: {
        'kubernetes.io/hostname': f.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': arch,
        ...(f.controlPlane ? { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' } : {}),
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: f.podCIDR ? { podCIDR: f.podCIDR, podCIDRs: [f.podCIDR] } : {},
  };
}

function readId(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readId('/etc/os-release'));
  return m?.[1] ?? 'Linux';
}

/**
 * Creates the Node (or takes over an existing one with our name: its labels, and its podCIDR when it
 * has none yet) without status, so it is not Ready before the kubelet runs.
 */
export async function createNode(client: RestClient, f: NodeFacts): Promise<NodeObject> {
  const nodes = new ResourceClient<NodeObject>(client, refs.nodes);
  const want = nodeObject(f);
  try {
    return await nodes.create(want);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const node = await nodes.patch(f.name, { metadata: { labels: want.metadata.labels } }, 'merge');
  if (!f.podCIDR || node.spec?.podCIDR) return node;
  return nodes.patch(f.name, { spec: want.spec }, 'merge');
}

/** Creates or takes over the Node and reports it Ready; returns it. */
export async function registerNode(client: RestClient, f: NodeFacts): Promise<NodeObject> {
  return updateNodeStatus(client, f, await createNode(client, f));
}

/** The podCIDR the node IPAM controller gives the node, polled for at most waitMs. */
export async function assignedPodCIDR(client: RestClient, name: string, waitMs: number): Promise<string | undefined> {
  const nodes = new ResourceClient<NodeObject>(client, refs.nodes);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const cidr = (await nodes.get(name)).spec?.podCIDR;
    if (cidr || Date.now() >= deadline) return cidr;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function updateNodeStatus(client: RestClient, f: NodeFacts, node?: NodeObject): Promise<NodeObject> {
  const nodes = new ResourceClient<NodeObject>(client, refs.nodes);
  return nodes.patch(f.name, { status: nodeStatus(f, node) }, 'merge', { subresource: 'status' });
}

/** Renews (or creates) kube-node-lease/<node>, owned by the Node so it goes with it. */
export async function renewLease(client: RestClient, node: NodeObject): Promise<void> {
  const leases = new ResourceClient(client, refs.leases);
  const name = node.metadata.name ?? '';
  const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime() };
  try {
    await leases.patch(name, { spec }, 'merge', { namespace: 'kube-node-lease' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await leases.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid! }] },
      spec,
    } as KubeObject, { namespace: 'kube-node-lease' });
  }
}
