// What the Endpoints and EndpointSlice controllers agree on (pkg/controller/util/endpoint): which pods a
// Service selects, which of them are published, and which port each service port reaches on a pod
// (a named targetPort is looked up in that pod's containers, so pods may differ).
import { selectorFromSet, type KubeObject, type Selector } from '../../api/index.js';
import { isPodReady, type Pod } from '../../client/index.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string> | null;
    clusterIP?: string;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
    type?: string;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** The pods fields the endpoint controllers read. */
export interface EndpointPod extends Pod {
  spec: Pod['spec'] & {
    hostname?: string;
    subdomain?: string;
    containers?: Array<{ name: string; ports?: ContainerPort[] }>;
    restartPolicy?: string;
  };
  status?: Pod['status'] & { podIP?: string; podIPs?: Array<{ ip: string }> };
}

/** The selector of a Service that has one; selectorless Services (user-managed Endpoints) give undefined. */
export function serviceSelector(svc: Service): Selector | undefined {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return undefined;
  return selectorFromSet(sel);
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** ExternalName Services have no endpoints. */
export function wantsEndpoints(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && serviceSelector(svc) !== undefined;
}

/**
 * ShouldPodBeInEndpoints: pods with an address that have not finished; terminating pods only when the
 * caller keeps them (EndpointSlices mark them terminating, Endpoints drop them).
 */
export function shouldPodBeInEndpoints(pod: EndpointPod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export function podIP(pod: EndpointPod): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || undefined;
}

/** Whether a pod is listed as ready for a service (publishNotReadyAddresses publishes every pod). */
export function podReadyForService(pod: EndpointPod, svc: Service): boolean {
  return svc.spec?.publishNotReadyAddresses === true || isPodReady(pod);
}

/** podutil.FindPort: the pod port a service port targets, or undefined when the pod has no such named port. */
export function findPort(pod: EndpointPod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** A pod's DNS hostname under a headless service: only when its subdomain names the service. */
export function podHostname(pod: EndpointPod, svc: Service): string | undefined {
  return pod.spec.hostname && pod.spec.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
}

export function podTargetRef(pod: EndpointPod): { kind: 'Pod'; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

/** The labels both controllers copy from the service, plus the headless marker kube-proxy skips on. */
export function endpointLabels(svc: Service): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (isHeadless(svc)) labels['service.kubernetes.io/headless'] = '';
  else delete labels['service.kubernetes.io/headless'];
  return labels;
}
