// Builders for scheduler tests (like kube-scheduler's st.MakePod/MakeNode): compact objects with only
// the fields a test cares about, and a framework wired to a snapshot without any API server.
import type { EventRecorder, RestClient } from '../client/index.js';
import { SchedulerCache } from './cache.js';
import { buildFramework, type ProfileConfig } from './config.js';
import type { Framework, Handle } from './framework.js';
import type { Container, Node, Pod, PodSpec, Taint } from './types.js';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: allocatable, allocatable, images: o.images },
  };
}

export interface PodOptions extends Partial<PodSpec> {
  namespace?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  uid?: string;
}

let uid = 0;

export function makePod(name: string, o: PodOptions = {}): Pod {
  const { namespace, labels, cpu, memory, uid: givenUid, ...spec } = o;
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  const container: Container = { name: 'c', image: 'busybox', resources: { requests } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: namespace ?? 'default', labels, uid: givenUid ?? `uid-${++uid}`, creationTimestamp: new Date().toISOString() },
    spec: { containers: [container], ...spec },
    status: { phase: 'Pending' },
  };
}

/** A cache holding these nodes and pods (pods with spec.nodeName are placed on their node). */
export function makeCache(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  for (const p of pods) cache.setPod(p);
  return cache;
}

/** A profile's framework with a handle that has no API server behind it. */
export function makeFramework(profile: ProfileConfig = {}, handle: Partial<Handle> = {}): Framework {
  let fw: Framework | undefined;
  const full: Handle = {
    rest: undefined as unknown as RestClient,
    recorder: { event: () => {} } as unknown as EventRecorder,
    schedulerName: profile.schedulerName ?? 'default-scheduler',
    framework: () => fw!,
    namespaceLabels: () => undefined,
    defaultSpreadSelector: () => undefined,
    ...handle,
  };
  fw = buildFramework(profile, full);
  return fw;
}
