// ClusterIPs and NodePorts, allocated by the API server when a Service is created or changes type,
// as kube's service REST storage does: a requested value must lie in range and be free, a missing one
// is picked at random. What is in use comes from the watch cache; Service writes that allocate run
// one at a time (`exclusive`), each after the cache has caught up with the store, so two writes can
// never pick the same value.
import { invalid, type FieldError, type KubeObject } from '../api/index.js';

export interface ServiceRanges {
  /** e.g. "10.43.0.0/16"; its first address belongs to the `kubernetes` Service. */
  serviceCidr: string;
  /** NodePort range, inclusive (30000–32767 by default). */
  nodePortMin: number;
  nodePortMax: number;
}

export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

interface ServiceSpec {
  type?: string;
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: Array<{ port?: number; protocol?: string; nodePort?: number }>;
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The usable addresses of a CIDR: network and broadcast excluded. */
export function cidrRange(cidr: string): { first: number; last: number } {
  const [base, bits] = cidr.split('/');
  const start = ipToInt(base);
  const prefix = Number(bits);
  if (start === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid service CIDR "${cidr}"`);
  const size = 2 ** (32 - prefix);
  const network = start - (start % size);
  return { first: network + 1, last: network + size - 2 };
}

/** The `kubernetes` Service's address: the first of the range. */
export function kubernetesServiceIP(cidr: string): string {
  return intToIp(cidrRange(cidr).first);
}

function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** A load balancer that keeps traffic on nodes with a local endpoint asks each node through this port. */
function needsHealthCheckNodePort(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

export class ServiceAllocator {
  private readonly ips: { first: number; last: number };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ranges: ServiceRanges,
    /** Every stored Service, current. */
    private readonly services: () => KubeObject[],
  ) {
    this.ips = cidrRange(ranges.serviceCidr);
  }

  /** Runs `fn` (allocate, then write) after every earlier one has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private used(except: string | undefined): { ips: Set<string>; ports: Set<number> } {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const svc of this.services()) {
      if (svc.metadata.uid === except) continue;
      const spec = (svc.spec ?? {}) as ServiceSpec;
      if (spec.clusterIP && spec.clusterIP !== 'None') ips.add(spec.clusterIP);
      for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
      if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
    }
    return { ips, ports };
  }

  /**
   * Fills in (or checks) spec.clusterIP(s) and nodePorts of `svc`, whose previous version is `old` on
   * updates. Call inside exclusive(), with the cache caught up, and write before leaving it.
   */
  allocate(svc: KubeObject, old?: KubeObject): void {
    const spec = (svc.spec ?? (svc.spec = {})) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const used = this.used(svc.metadata.uid);
    const errors: FieldError[] = [];
    const taken: { ips: string[]; ports: number[] } = { ips: [], ports: [] };
    if (needsClusterIP(spec)) {
      if (!spec.clusterIP && spec.clusterIPs?.[0]) spec.clusterIP = spec.clusterIPs[0];
      if (spec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
        const n = ipToInt(spec.clusterIP);
        if (n === undefined || n < this.ips.first || n > this.ips.last) {
          errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${this.ranges.serviceCidr}` });
        } else if (used.ips.has(spec.clusterIP)) {
          errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` });
        } else taken.ips.push(spec.clusterIP);
      } else if (!spec.clusterIP) {
        const ip = this.pickIp(used.ips);
        if (!ip) errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'Invalid value: []string(nil): failed to allocate IP: range is full' });
        else {
          spec.clusterIP = ip;
          taken.ips.push(ip);
        }
      }
      if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    }
    if (needsNodePorts(spec)) {
      const oldPorts = new Set((oldSpec.ports ?? []).map((p) => p.nodePort).filter(Boolean));
      (spec.ports ?? []).forEach((p, i) => {
        const port = this.nodePort(p.nodePort, oldPorts, `spec.ports[${i}].nodePort`, used.ports, taken.ports, errors);
        if (port) p.nodePort = port;
      });
    }
    if (needsHealthCheckNodePort(spec)) {
      const old = new Set(oldSpec.healthCheckNodePort ? [oldSpec.healthCheckNodePort] : []);
      const port = this.nodePort(spec.healthCheckNodePort, old, 'spec.healthCheckNodePort', used.ports, taken.ports, errors);
      if (port) spec.healthCheckNodePort = port;
    } else if (spec.healthCheckNodePort && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) {
      // Left over from before a change of type or policy: released, as Kubernetes drops it.
      delete spec.healthCheckNodePort;
    }
    if (errors.length) throw invalid('Service', '', svc.metadata.name ?? '', errors);
  }

  /** Checks a requested node port (unless it was already this service's) or picks a free one. */
  private nodePort(requested: number | undefined, own: Set<number | undefined>, field: string, used: Set<number>, taken: number[], errors: FieldError[]): number | undefined {
    if (requested && own.has(requested)) return requested;
    if (requested) {
      if (requested < this.ranges.nodePortMin || requested > this.ranges.nodePortMax) {
        errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${requested}: provided port is not in the valid range. The range of valid ports is ${this.ranges.nodePortMin}-${this.ranges.nodePortMax}` });
        return undefined;
      }
      if (used.has(requested) || taken.includes(requested)) {
        errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${requested}: provided port is already allocated` });
        return undefined;
      }
      taken.push(requested);
      return requested;
    }
    const port = this.pickPort(used, taken);
    if (!port) errors.push({ type: 'FieldValueInvalid', field, message: 'Invalid value: 0: failed to allocate a nodePort: range is full' });
    else taken.push(port);
    return port;
  }

  private pickIp(used: Set<string>): string | undefined {
    // The first address is the kubernetes Service's; dynamic picks start after it.
    const size = this.ips.last - this.ips.first;
    for (let attempt = 0; attempt < 64; attempt++) {
      const ip = intToIp(this.ips.first + 1 + Math.floor(Math.random() * size));
      if (!used.has(ip)) return ip;
    }
    for (let n = this.ips.first + 1; n <= this.ips.last; n++) if (!used.has(intToIp(n))) return intToIp(n);
    return undefined;
  }

  private pickPort(used: Set<number>, taken: number[]): number | undefined {
    const span = this.ranges.nodePortMax - this.ranges.nodePortMin + 1;
    const free = (p: number) => !used.has(p) && !taken.includes(p);
    for (let attempt = 0; attempt < 64; attempt++) {
      const p = this.ranges.nodePortMin + Math.floor(Math.random() * span);
      if (free(p)) return p;
    }
    for (let p = this.ranges.nodePortMin; p <= this.ranges.nodePortMax; p++) if (free(p)) return p;
    return undefined;
  }
}
