// What EndpointSlices a Service should have, as pure functions: endpoints built from the selected pods
// (EndpointSlice controller) or mirrored from user-managed Endpoints of a selectorless Service
// (EndpointSliceMirroring controller), grouped by port set and cut into slices of at most 100.
import {
  compareIP,
  findPort,
  podHostname,
  podIP,
  podTargetRef,
  shouldPodBeInEndpoints,
  type EndpointAddress,
  type EndpointPod,
  type EndpointSubset,
  type Service,
} from '../endpoints/index.js';

/** kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_MANAGER = 'endpointslice-controller.k8s.io';
export const MIRRORING_MANAGER = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints carrying this label are not mirrored (the API server's own `kubernetes` Endpoints). */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

export interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

/** Endpoints that serve the same ports; becomes one or more slices. */
export interface SliceGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export function portsKey(ports: SlicePort[] | undefined | null): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

function addGroup(groups: Map<string, SliceGroup>, ports: SlicePort[], ep: SliceEndpoint): void {
  const key = portsKey(ports);
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { ports, endpoints: [] }));
  g.endpoints.push(ep);
}

function sortedGroups(groups: Map<string, SliceGroup>): SliceGroup[] {
  const out = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
  for (const g of out) g.endpoints.sort((a, b) => compareIP(a.addresses[0], b.addresses[0]) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? ''));
  return out;
}

/** podToEndpoint: terminating pods stay listed (serving, terminating) so proxies can drain them. */
export function groupsFromPods(svc: Service, pods: EndpointPod[]): SliceGroup[] {
  const groups = new Map<string, SliceGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: SlicePort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    const serving = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const terminating = !!pod.metadata.deletionTimestamp;
    const ep: SliceEndpoint = {
      addresses: [podIP(pod)!],
      conditions: { ready: svc.spec?.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating },
      targetRef: podTargetRef(pod),
    };
    if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
    const hostname = podHostname(pod, svc);
    if (hostname) ep.hostname = hostname;
    addGroup(groups, ports, ep);
  }
  return sortedGroups(groups);
}

/** The mirroring controller's view of user Endpoints: ready addresses ready, notReadyAddresses not. */
export function groupsFromEndpoints(subsets: EndpointSubset[] | undefined): SliceGroup[] {
  const groups = new Map<string, SliceGroup>();
  const mirror = (a: EndpointAddress, ready: boolean): SliceEndpoint => {
    const ep: SliceEndpoint = { addresses: [a.ip], conditions: { ready } };
    if (a.hostname) ep.hostname = a.hostname;
    if (a.nodeName) ep.nodeName = a.nodeName;
    if (a.targetRef) ep.targetRef = a.targetRef;
    return ep;
  };
  for (const s of subsets ?? []) {
    const ports: SlicePort[] = (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    for (const a of s.addresses ?? []) addGroup(groups, ports, mirror(a, true));
    for (const a of s.notReadyAddresses ?? []) addGroup(groups, ports, mirror(a, false));
  }
  return sortedGroups(groups);
}

/** One desired slice: its ports and endpoints (the placeholder of an empty Service has neither). */
export interface DesiredSlice {
  ports?: SlicePort[];
  endpoints: SliceEndpoint[];
}

/** Cuts groups into slices; a Service with no endpoints keeps one empty placeholder slice as kube does. */
export function desiredSlices(groups: SliceGroup[], max = MAX_ENDPOINTS_PER_SLICE): DesiredSlice[] {
  const out: DesiredSlice[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.endpoints.length; i += max) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  return out.length ? out : [{ endpoints: [] }];
}
