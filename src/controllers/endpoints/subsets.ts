// The Endpoints a selector Service should have (endpoints_controller.go syncService + RepackSubsets):
// every published pod's address, ready or not ready, under the ports it serves; addresses serving the
// same ports share one subset. Pure, so the controller only compares and writes.
import {
  findPort,
  isHeadless,
  podHostname,
  podIP,
  podReadyForService,
  podTargetRef,
  shouldPodBeInEndpoints,
  type EndpointPod,
  type Service,
} from './service-pods.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

function address(pod: EndpointPod, svc: Service): EndpointAddress {
  const a: EndpointAddress = { ip: podIP(pod)! };
  const hostname = podHostname(pod, svc);
  if (hostname) a.hostname = hostname;
  if (pod.spec.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = podTargetRef(pod);
  return a;
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ''}/${p.port}/${p.protocol}/${p.appProtocol ?? ''}`;
}

export function computeSubsets(svc: Service, pods: EndpointPod[]): EndpointSubset[] {
  // address (ip + ready) → the ports it serves; then addresses with equal port sets are grouped.
  const byAddress = new Map<string, { addr: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  const servicePorts = svc.spec?.ports ?? [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, false)) continue;
    const addr = address(pod, svc);
    const ready = podReadyForService(pod, svc);
    const key = `${addr.ip}/${ready}/${addr.targetRef?.uid ?? ''}`;
    const entry = byAddress.get(key) ?? { addr, ready, ports: new Map() };
    let served = servicePorts.length === 0 && isHeadless(svc);
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      entry.ports.set(portKey(ep), ep);
      served = true;
    }
    if (served) byAddress.set(key, entry);
  }
  const subsets = new Map<string, EndpointSubset>();
  for (const { addr, ready, ports } of byAddress.values()) {
    const sorted = [...ports.values()].sort((a, b) => portKey(a).localeCompare(portKey(b)));
    const key = sorted.map(portKey).join(',');
    let subset = subsets.get(key);
    if (!subset) {
      subset = {};
      if (sorted.length) subset.ports = sorted;
      subsets.set(key, subset);
    }
    const list = ready ? (subset.addresses ??= []) : (subset.notReadyAddresses ??= []);
    list.push(addr);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress): number => compareIP(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  for (const s of subsets.values()) {
    s.addresses?.sort(byIP);
    s.notReadyAddresses?.sort(byIP);
  }
  return [...subsets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
}

/** Orders IPv4 addresses numerically (others as text), so the written order is stable and readable. */
export function compareIP(a: string, b: string): number {
  const na = a.split('.').map(Number);
  const nb = b.split('.').map(Number);
  if (na.length === 4 && nb.length === 4 && [...na, ...nb].every((n) => Number.isInteger(n))) {
    for (let i = 0; i < 4; i++) if (na[i] !== nb[i]) return na[i] - nb[i];
    return 0;
  }
  return a.localeCompare(b);
}
