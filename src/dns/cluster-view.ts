// Namespaces, Services and EndpointSlices (the objects) → the ClusterView the resolver answers from.
import type { KubeObject } from '../api/index.js';
import type { ClusterView, DnsEndpoint, DnsService, DnsServicePort } from './records.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  publishNotReadyAddresses?: boolean;
  ports?: Array<{ name?: string; protocol?: string; port: number }>;
}

interface SliceBody {
  endpoints?: Array<{ addresses?: string[]; hostname?: string; conditions?: { ready?: boolean } }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

export function clusterViewFrom(namespaces: KubeObject[], services: KubeObject[], slices: KubeObject[]): ClusterView {
  const view: ClusterView = { namespaces: new Set(namespaces.map((n) => n.metadata.name ?? '')), services: new Map() };
  const byKey = new Map<string, DnsService>();
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const entry: DnsService = {
      name: svc.metadata.name ?? '',
      namespace: svc.metadata.namespace ?? 'default',
      clusterIPs: (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None'),
      externalName: spec.type === 'ExternalName' ? spec.externalName : undefined,
      ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port })),
      endpoints: [],
      endpointPorts: [],
      publishNotReadyAddresses: spec.publishNotReadyAddresses,
    };
    byKey.set(key, entry);
    view.services.set(key, entry);
  }
  for (const slice of slices) {
    const service = byKey.get(`${slice.metadata.namespace}/${slice.metadata.labels?.[SERVICE_NAME_LABEL]}`);
    if (!service) continue;
    const body = slice as unknown as SliceBody;
    for (const p of body.ports ?? []) {
      const port: DnsServicePort = { name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port ?? 0 };
      if (!service.endpointPorts.some((e) => e.name === port.name && e.protocol === port.protocol)) service.endpointPorts.push(port);
    }
    for (const ep of body.endpoints ?? []) {
      for (const ip of ep.addresses ?? []) {
        const endpoint: DnsEndpoint = { ip, hostname: ep.hostname, ready: ep.conditions?.ready ?? true };
        if (!service.endpoints.some((e) => e.ip === ip)) service.endpoints.push(endpoint);
      }
    }
  }
  return view;
}
