// Hollow nodes (kubemark/KWOK style): N fake Nodes registered from one process, with Lease
// heartbeats, that play the kubelet for the pods bound to them without running anything — Running
// with a fake IP and Ready at once, run-to-completion pods Succeeded (or Failed) after a while,
// deletions confirmed — so the scheduler and controllers can be tested at a thousand-node scale.
// Addresses are in 127.0.0.0/8 so nothing that follows them can leave the machine.
import { ResourceClient, InformerFactory, WorkQueue, runWorkers, refs, isAlreadyExists, isNotFound, isConflict, logError, microTime, rfc3339, type RestClient } from '../../client/index.js';
import type { ContainerStatus, Node, Pod, PodCondition, PodStatus } from '../types.js';

export const RUN_SECONDS_ANNOTATION = 'skiff.dev/hollow-run-seconds';
export const EXIT_CODE_ANNOTATION = 'skiff.dev/hollow-exit-code';
export const HOLLOW_LABEL = 'skiff.dev/hollow';

export interface HollowNodesOptions {
  rest: RestClient;
  count: number;
  /** Capacity per node (default 4 cpu, 16Gi, 110 pods). */
  cpu?: string;
  memory?: string;
  pods?: number;
  namePrefix?: string;
  /** Extra labels on every node. */
  labels?: Record<string, string>;
  /** How often each node renews its Lease (kubelet: 10 s of a 40 s lease); 0 = register the Lease only and never re-report status. */
  leaseRenewMs?: number;
  /** Play the kubelet for bound pods (default true); off, the nodes only exist (scheduler_perf's fake nodes). */
  kubelet?: boolean;
  /** How long run-to-completion pods run without the annotation (default 1 s). */
  defaultRunSeconds?: number;
  /** Concurrent API writes for pod status and deletions. */
  workers?: number;
}

export interface HollowNodes {
  readonly names: string[];
  stop(): Promise<void>;
}

const LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_SECONDS = 40;
/** kubelet's nodeStatusReportFrequency. */
const STATUS_REPORT_MS = 5 * 60 * 1000;

interface PodRun {
  uid: string;
  startedAt: number;
  runs: number;
  /** When the current run ends (run-to-completion pods). */
  endsAt?: number;
}

/** 127.1.x.y for node i; 127.128+ for pod addresses, 254 per node. */
export function nodeIP(index: number): string {
  return `127.1.${(index >> 8) & 255}.${index & 255}`;
}

function podIP(nodeIndex: number, slot: number): string {
  return `127.${128 + ((nodeIndex >> 8) & 127)}.${nodeIndex & 255}.${1 + (slot % 254)}`;
}

/** The Node object of hollow node `index`; conditions became true at `since` and were last confirmed now. */
function hollowNode(name: string, index: number, o: Required<Pick<HollowNodesOptions, 'cpu' | 'memory' | 'pods'>> & { labels: Record<string, string> }, since: string): Node {
  const now = rfc3339();
  const resources = { cpu: o.cpu, memory: o.memory, pods: String(o.pods), 'ephemeral-storage': '100Gi' };
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: since });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        [HOLLOW_LABEL]: 'true',
        ...o.labels,
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: nodeIP(index) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `hollow-${index}`,
        systemUUID: `hollow-${index}`,
        bootID: `hollow-${index}`,
        kernelVersion: 'hollow',
        osImage: 'skiff hollow node',
        containerRuntimeVersion: 'hollow://0.1.0',
        kubeletVersion: 'v1.33.1+skiff',
        kubeProxyVersion: 'v1.33.1+skiff',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export async function startHollowNodes(options: HollowNodesOptions): Promise<HollowNodes> {
  const rest = options.rest;
  const prefix = options.namePrefix ?? 'hollow-node-';
  const names = Array.from({ length: options.count }, (_, i) => `${prefix}${i}`);
  const indexOf = new Map(names.map((n, i) => [n, i]));
  const nodes = new ResourceClient<Node>(rest, refs.nodes);
  const pods = new ResourceClient<Pod>(rest, refs.pods);
  const leases = new ResourceClient(rest, refs.leases);
  const namespaces = new ResourceClient(rest, refs.namespaces);
  const shape = { cpu: options.cpu ?? '4', memory: options.memory ?? '16Gi', pods: options.pods ?? 110, labels: options.labels ?? {} };
  const defaultRun = options.defaultRunSeconds ?? 1;
  const registeredAt = rfc3339();

  try {
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }

  // Register (or re-register) every node, a bounded number at a time.
  const register = async (name: string): Promise<void> => {
    const node = hollowNode(name, indexOf.get(name)!, shape, registeredAt);
    try {
      await nodes.create(node);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await nodes.get(name);
      await nodes.updateStatus({ ...existing, status: node.status });
    }
  };
  await inBatches(names, 32, register);

  const renewLease = async (name: string): Promise<void> => {
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime() };
    try {
      await leases.patch(name, { spec }, 'merge', { namespace: LEASE_NAMESPACE });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const node = await nodes.get(name);
      await leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: String(node.metadata.uid) }] },
        spec,
      });
    }
  };
  await inBatches(names, 32, renewLease);
  const renewMs = options.leaseRenewMs ?? 10_000;
  let leaseCursor = 0;
  // Renew a slice of the nodes every second, so 1000 nodes do not renew in one burst.
  const leaseTimer = renewMs <= 0 ? undefined : setInterval(() => {
    const perTick = Math.max(1, Math.ceil((names.length * 1000) / renewMs));
    const batch = Array.from({ length: Math.min(perTick, names.length) }, () => names[leaseCursor++ % names.length]);
    void inBatches(batch, 16, renewLease).catch((err) => logError('hollow-nodes', 'lease renewal failed', err));
  }, 1000);

  // Like the kubelet, re-report node status (the conditions' heartbeat) every 5 minutes even when
  // nothing changed, spread over the period.
  let statusCursor = 0;
  const reportStatus = async (name: string): Promise<void> => {
    const conditions = hollowNode(name, indexOf.get(name)!, shape, registeredAt).status!.conditions;
    await nodes.patch(name, { status: { conditions } }, 'merge', { subresource: 'status' });
  };
  const statusTimer = renewMs <= 0 ? undefined : setInterval(() => {
    const perTick = Math.max(1, Math.ceil((names.length * 1000) / STATUS_REPORT_MS));
    const batch = Array.from({ length: Math.min(perTick, names.length) }, () => names[statusCursor++ % names.length]);
    void inBatches(batch, 8, reportStatus).catch((err) => logError('hollow-nodes', 'node status report failed', err));
  }, 1000);

  // The kubelet part: one pod informer for all nodes, a queue of pod keys, level-triggered sync.
  const factory = new InformerFactory(rest);
  const informer = factory.informer<Pod>(refs.pods);
  const queue = new WorkQueue<string>();
  const runs = new Map<string, PodRun>();
  const slots = new Map<string, number>();
  const enqueue = (p: Pod): void => {
    if (p.spec.nodeName && indexOf.has(p.spec.nodeName)) queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  };
  informer.addEventHandler({
    add: enqueue,
    update: (_o, p) => enqueue(p),
    delete: (p) => {
      runs.delete(`${p.metadata.namespace}/${p.metadata.name}`);
    },
  });

  const sync = async (key: string): Promise<void> => {
    const [namespace, name] = key.split('/');
    const pod = informer.lister.get(name, namespace);
    if (!pod || !pod.spec.nodeName || !indexOf.has(pod.spec.nodeName)) {
      runs.delete(key);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      try {
        await pods.delete(name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      runs.delete(key);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const nodeIndex = indexOf.get(pod.spec.nodeName)!;
    let run = runs.get(key);
    if (!run || run.uid !== pod.metadata.uid) {
      run = { uid: String(pod.metadata.uid), startedAt: Date.now(), runs: 1 };
      runs.set(key, run);
    }
    const completes = pod.spec.restartPolicy === 'Never' || pod.spec.restartPolicy === 'OnFailure';
    const runSeconds = Number(pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION] ?? defaultRun);
    const exitCode = Number(pod.metadata.annotations?.[EXIT_CODE_ANNOTATION] ?? 0) || 0;
    if (completes) run.endsAt ??= run.startedAt + Math.max(0, runSeconds) * 1000;
    const now = Date.now();
    let status: PodStatus;
    if (completes && run.endsAt !== undefined && now >= run.endsAt) {
      if (exitCode !== 0 && pod.spec.restartPolicy === 'OnFailure') {
        // The kubelet restarts the container in place; the pod stays Running with a higher restartCount.
        run.runs++;
        run.endsAt = now + Math.max(0, runSeconds) * 1000;
        status = runningStatus(pod, run, nodeIndex, slotFor(key), exitCode);
        queue.addAfter(key, run.endsAt - now);
      } else {
        status = finishedStatus(pod, run, nodeIndex, slotFor(key), exitCode);
      }
    } else {
      if (phase === 'Running' && pod.status?.podIP) {
        if (run.endsAt !== undefined) queue.addAfter(key, run.endsAt - now);
        return;
      }
      status = runningStatus(pod, run, nodeIndex, slotFor(key));
      if (run.endsAt !== undefined) queue.addAfter(key, Math.max(0, run.endsAt - now));
    }
    try {
      await pods.patch(name, { status }, 'merge', { namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  const slotFor = (key: string): number => {
    let slot = slots.get(key);
    if (slot === undefined) slots.set(key, (slot = slots.size));
    return slot;
  };

  if (options.kubelet !== false) {
    factory.start();
    await factory.waitForSync();
  }
  const workers = runWorkers(queue, options.workers ?? 16, sync, 'hollow-nodes');

  return {
    names,
    stop: async () => {
      clearInterval(leaseTimer);
      clearInterval(statusTimer);
      queue.shutdown();
      factory.stop();
      await workers;
    },
  };
}

function conditions(ready: boolean, start: string, completed = false): PodCondition[] {
  const readyReason = completed ? 'PodCompleted' : undefined;
  const c = (type: string, status: boolean, reason?: string): PodCondition => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: start, ...(reason ? { reason } : {}) });
  return [c('PodReadyToStartContainers', !completed), c('Initialized', true, readyReason), c('Ready', ready, readyReason), c('ContainersReady', ready, readyReason), c('PodScheduled', true)];
}

function containerStatuses(pod: Pod, run: PodRun, state: Record<string, unknown>, ready: boolean, lastExit?: number): ContainerStatus[] {
  return (pod.spec.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `hollow://${c.image ?? ''}`,
    containerID: `hollow://${run.uid}-${c.name}-${run.runs}`,
    ready,
    started: ready,
    restartCount: run.runs - 1,
    state,
    lastState: lastExit !== undefined ? { terminated: { exitCode: lastExit, reason: 'Error', startedAt: rfc3339(new Date(run.startedAt)), finishedAt: rfc3339() } } : {},
  }));
}

function baseStatus(pod: Pod, run: PodRun, nodeIndex: number, slot: number): PodStatus {
  const ip = podIP(nodeIndex, slot);
  return {
    hostIP: nodeIP(nodeIndex),
    hostIPs: [{ ip: nodeIP(nodeIndex) }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: pod.status?.startTime ?? rfc3339(new Date(run.startedAt)),
    qosClass: pod.status?.qosClass,
  };
}

function initStatuses(pod: Pod, run: PodRun): ContainerStatus[] | undefined {
  if (!pod.spec.initContainers?.length) return undefined;
  const at = rfc3339(new Date(run.startedAt));
  return pod.spec.initContainers.map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `hollow://${c.image ?? ''}`,
    containerID: `hollow://${run.uid}-${c.name}`,
    ready: true,
    restartCount: 0,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
  }));
}

function runningStatus(pod: Pod, run: PodRun, nodeIndex: number, slot: number, lastExit?: number): PodStatus {
  const start = rfc3339(new Date(run.startedAt));
  return {
    ...baseStatus(pod, run, nodeIndex, slot),
    phase: 'Running',
    conditions: conditions(true, start),
    containerStatuses: containerStatuses(pod, run, { running: { startedAt: rfc3339() } }, true, lastExit),
    initContainerStatuses: initStatuses(pod, run),
  };
}

function finishedStatus(pod: Pod, run: PodRun, nodeIndex: number, slot: number, exitCode: number): PodStatus {
  const start = rfc3339(new Date(run.startedAt));
  const terminated = { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: start, finishedAt: rfc3339() } };
  return {
    ...baseStatus(pod, run, nodeIndex, slot),
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: conditions(false, start, true),
    containerStatuses: containerStatuses(pod, run, terminated, false),
    initContainerStatuses: initStatuses(pod, run),
  };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
