// Services + EndpointSlices (the objects) → ServicePort entries (what the proxy programs), as kube-proxy
// joins them: slices belong to a service by the kubernetes.io/service-name label, an endpoint's port is
// the slice port with the same name as the service port, and only serving, non-terminating endpoints
// (ready ones) receive new connections. Headless and ExternalName services are not proxied.
import type { KubeObject } from '../api/index.js';
import type { Protocol, ProxyEndpoint, ServicePort } from './model.js';

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: string;
  ports?: Array<{ name?: string; protocol?: string; port: number; nodePort?: number }>;
}

interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
}

interface SliceBody {
  addressType?: string;
  endpoints?: SliceEndpoint[];
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function servicePortsFrom(services: KubeObject[], slices: KubeObject[], nodeName: string): ServicePort[] {
  const slicesByService = new Map<string, SliceBody[]>();
  for (const slice of slices) {
    const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${slice.metadata.namespace}/${name}`;
    const list = slicesByService.get(key) ?? [];
    list.push(slice as unknown as SliceBody);
    slicesByService.set(key, list);
  }
  const out: ServicePort[] = [];
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    if (spec.type === 'ExternalName') continue;
    const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
    if (clusterIPs.length === 0) continue;
    const status = svc.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;
    const loadBalancerIPs = spec.type === 'LoadBalancer' ? (status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip) : [];
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    for (const port of spec.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP') as Protocol;
      const portName = port.name ?? '';
      const endpoints: ProxyEndpoint[] = [];
      const seen = new Set<string>();
      for (const slice of slicesByService.get(key) ?? []) {
        if (slice.addressType && slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
        const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
        if (!slicePort?.port) continue;
        for (const ep of slice.endpoints ?? []) {
          const c = ep.conditions ?? {};
          const ready = (c.ready ?? true) && !c.terminating;
          for (const ip of ep.addresses ?? []) {
            const id = `${ip}:${slicePort.port}`;
            if (seen.has(id)) continue;
            seen.add(id);
            endpoints.push({ ip, port: slicePort.port, ready, local: ep.nodeName === nodeName });
          }
        }
      }
      out.push({
        namespace: svc.metadata.namespace ?? 'default',
        service: svc.metadata.name ?? '',
        portName,
        protocol,
        clusterIPs,
        port: port.port,
        nodePort: spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? port.nodePort : undefined,
        externalIPs: spec.externalIPs ?? [],
        loadBalancerIPs,
        affinitySeconds: spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 : undefined,
        externalTrafficLocal: spec.externalTrafficPolicy === 'Local',
        endpoints,
      });
    }
  }
  return out;
}
