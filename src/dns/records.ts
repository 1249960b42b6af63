// Cluster name → records, with the rules of CoreDNS's kubernetes plugin (the cluster DNS spec):
// <svc>.<ns>.svc.<zone> (ClusterIP, or ready endpoint IPs when headless, CNAME for ExternalName),
// <hostname>.<svc>.<ns>.svc.<zone>, _<port>._<proto>.<svc>.<ns>.svc.<zone> SRV, <a-b-c-d>.<ns>.pod.<zone>,
// and PTR for service and endpoint addresses. Pure: the server feeds it a snapshot of the cluster.
import { TYPE, RCODE, type ResourceRecord, type Response } from './message.js';

export interface DnsServicePort {
  name: string;
  protocol: string;
  port: number;
}

export interface DnsEndpoint {
  ip: string;
  hostname?: string;
  ready: boolean;
}

export interface DnsService {
  name: string;
  namespace: string;
  /** Empty for headless services. */
  clusterIPs: string[];
  externalName?: string;
  ports: DnsServicePort[];
  /** Endpoint addresses and the port numbers they serve, by service port name. */
  endpoints: DnsEndpoint[];
  endpointPorts: DnsServicePort[];
  /** Headless services with publishNotReadyAddresses also answer not-ready endpoints. */
  publishNotReadyAddresses?: boolean;
}

export interface ClusterView {
  namespaces: Set<string>;
  /** Keyed by "<namespace>/<name>". */
  services: Map<string, DnsService>;
}

/** What the resolver decided: an authoritative answer, or "not ours — forward it". */
export type Resolution = { kind: 'answer'; response: Response } | { kind: 'forward' };

const TTL = 5;

export class ClusterResolver {
  constructor(
    private readonly zone: string,
    private view: ClusterView,
  ) {}

  update(view: ClusterView): void {
    this.view = view;
  }

  resolve(rawName: string, type: number): Resolution {
    const name = rawName.toLowerCase().replace(/\.$/, '');
    if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return this.reverse(name, type);
    if (name !== this.zone && !name.endsWith(`.${this.zone}`)) return { kind: 'forward' };
    const labels = name === this.zone ? [] : name.slice(0, -(this.zone.length + 1)).split('.');
    const records = this.lookup(labels, name, type);
    if (records === undefined) return this.nxdomain();
    return { kind: 'answer', response: { rcode: RCODE.NOERROR, authoritative: true, answers: records, authority: records.length ? [] : [this.soa()] } };
  }

  private soa(): ResourceRecord {
    return { name: this.zone, ttl: TTL, type: TYPE.SOA, mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL };
  }

  private nxdomain(): Resolution {
    return { kind: 'answer', response: { rcode: RCODE.NXDOMAIN, authoritative: true, answers: [], authority: [this.soa()] } };
  }

  /** Records for the name (possibly none: NODATA), or undefined when the name does not exist. */
  private lookup(labels: string[], name: string, type: number): ResourceRecord[] | undefined {
    const n = labels.length;
    if (n === 0) return type === TYPE.SOA ? [this.soa()] : [];
    const kind = labels[n - 1];
    if (n === 1 && (kind === 'svc' || kind === 'pod')) return [];
    if (kind === 'pod' && n === 3) return this.podRecord(labels[0], labels[1], name, type);
    if (kind !== 'svc') return undefined;
    const namespace = labels[n - 2];
    if (n === 2) return this.view.namespaces.has(namespace) ? [] : undefined;
    const service = this.view.services.get(`${namespace}/${labels[n - 3]}`);
    if (!service) return undefined;
    if (n === 3) return this.serviceRecords(service, name, type);
    if (n === 4) return this.endpointRecords(service, labels[0], name, type);
    if (n === 5 && labels[0].startsWith('_') && labels[1].startsWith('_')) {
      return this.srvRecords(service, labels[0].slice(1), labels[1].slice(1), name, type);
    }
    return undefined;
  }

  private visibleEndpoints(service: DnsService): DnsEndpoint[] {
    return service.endpoints.filter((e) => e.ready || service.publishNotReadyAddresses);
  }

  private addressRecords(name: string, ips: string[], type: number): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const ip of ips) {
      const v6 = ip.includes(':');
      if (!v6 && (type === TYPE.A || type === TYPE.ANY)) out.push({ name, ttl: TTL, type: TYPE.A, address: ip });
      if (v6 && (type === TYPE.AAAA || type === TYPE.ANY)) out.push({ name, ttl: TTL, type: TYPE.AAAA, address: ip });
    }
    return out;
  }

  private serviceRecords(service: DnsService, name: string, type: number): ResourceRecord[] {
    if (service.externalName) {
      return type === TYPE.CNAME || type === TYPE.A || type === TYPE.AAAA || type === TYPE.ANY
        ? [{ name, ttl: TTL, type: TYPE.CNAME, target: service.externalName }]
        : [];
    }
    const headless = service.clusterIPs.length === 0;
    if (type === TYPE.SRV) {
      return service.ports.flatMap((p) => this.srvRecords(service, p.name, p.protocol.toLowerCase(), name, type));
    }
    const ips = headless ? this.visibleEndpoints(service).map((e) => e.ip) : service.clusterIPs;
    return this.addressRecords(name, ips, type);
  }

  /** The name an endpoint has under its service: its hostname, or its IP with dashes (CoreDNS's rule). */
  private endpointLabel(endpoint: DnsEndpoint): string {
    return endpoint.hostname || endpoint.ip.replace(/[.:]/g, '-');
  }

  private endpointRecords(service: DnsService, label: string, name: string, type: number): ResourceRecord[] | undefined {
    const match = this.visibleEndpoints(service).filter((e) => this.endpointLabel(e) === label);
    if (match.length === 0) return undefined;
    return this.addressRecords(name, match.map((e) => e.ip), type);
  }

  private srvRecords(service: DnsService, portName: string, protocol: string, name: string, type: number): ResourceRecord[] {
    if (type !== TYPE.SRV && type !== TYPE.ANY) return [];
    const svcName = `${service.name}.${service.namespace}.svc.${this.zone}`;
    const headless = service.clusterIPs.length === 0;
    const srvName = name.startsWith('_') ? name : `_${portName}._${protocol}.${svcName}`;
    if (!headless) {
      return service.ports
        .filter((p) => p.name === portName && p.protocol.toLowerCase() === protocol)
        .map((p) => ({ name: srvName, ttl: TTL, type: TYPE.SRV, priority: 0, weight: 100, port: p.port, target: svcName }));
    }
    const ports = service.endpointPorts.filter((p) => p.name === portName && p.protocol.toLowerCase() === protocol);
    const endpoints = this.visibleEndpoints(service);
    const weight = endpoints.length ? Math.floor(100 / endpoints.length) : 100;
    return ports.flatMap((p) =>
      endpoints.map((e) => ({ name: srvName, ttl: TTL, type: TYPE.SRV, priority: 0, weight, port: p.port, target: `${this.endpointLabel(e)}.${svcName}` })),
    );
  }

  private podRecord(dashed: string, namespace: string, name: string, type: number): ResourceRecord[] | undefined {
    if (!this.view.namespaces.has(namespace)) return undefined;
    const v4 = dashed.split('-');
    if (v4.length === 4 && v4.every((o) => /^\d{1,3}$/.test(o) && Number(o) < 256)) return this.addressRecords(name, [v4.join('.')], type);
    return undefined;
  }

  private reverse(name: string, type: number): Resolution {
    if (!name.endsWith('.in-addr.arpa')) return { kind: 'forward' };
    const octets = name.slice(0, -'.in-addr.arpa'.length).split('.').reverse();
    if (octets.length !== 4) return { kind: 'forward' };
    const ip = octets.join('.');
    const targets: string[] = [];
    for (const service of this.view.services.values()) {
      const svcName = `${service.name}.${service.namespace}.svc.${this.zone}`;
      if (service.clusterIPs.includes(ip)) targets.push(svcName);
      for (const e of this.visibleEndpoints(service)) if (e.ip === ip && e.hostname) targets.push(`${e.hostname}.${svcName}`);
    }
    if (targets.length === 0) return { kind: 'forward' };
    const answers: ResourceRecord[] = type === TYPE.PTR || type === TYPE.ANY ? targets.map((t) => ({ name, ttl: TTL, type: TYPE.PTR, target: t })) : [];
    return { kind: 'answer', response: { rcode: RCODE.NOERROR, authoritative: true, answers } };
  }
}
