// A container's environment as the kubelet builds it (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables):
// service link variables first, then envFrom sources in order, then env entries — each may refer to the
// ones before it with $(NAME) — plus the downward API values fieldRef/resourceFieldRef read from the pod.
import { Quantity } from '../api/index.js';
import type { Container, EnvVar, Pod } from '../client/index.js';

export interface ServiceInfo {
  name: string;
  clusterIP: string;
  ports: Array<{ name?: string; port: number; protocol?: string }>;
}

/** What env building needs from the API (configMaps and secrets of the pod's namespace). */
export interface EnvSources {
  configMap(name: string): Promise<Record<string, string> | undefined>;
  secret(name: string): Promise<Record<string, string> | undefined>;
  /** Services whose link variables the pod gets (none when enableServiceLinks is false). */
  services: ServiceInfo[];
  /** Node allocatable, for resourceFieldRef of containers without limits. */
  nodeAllocatable: { cpu: string; memory: string; 'ephemeral-storage'?: string };
}

/** A configuration error the pod status reports as CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

/** Expands $(VAR) from `vars` as kubelet's expansion.Expand does: $$ escapes, unknown references stay. */
export function expandVars(input: string, vars: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name)! : `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

/** The docker-link variables of one service (pkg/kubelet/envvars/envvars.go FromServices). */
export function serviceEnv(services: ServiceInfo[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const s of services) {
    if (!s.clusterIP || s.clusterIP === 'None' || !s.ports.length) continue;
    const prefix = s.name.toUpperCase().replace(/-/g, '_');
    const first = s.ports[0];
    out.push([`${prefix}_SERVICE_HOST`, s.clusterIP], [`${prefix}_SERVICE_PORT`, String(first.port)]);
    for (const p of s.ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, String(p.port)]);
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    out.push([`${prefix}_PORT`, `${proto}://${s.clusterIP}:${first.port}`]);
    for (const p of s.ports) {
      const pr = (p.protocol ?? 'TCP');
      const base = `${prefix}_PORT_${p.port}_${pr.toUpperCase()}`;
      out.push([base, `${pr.toLowerCase()}://${s.clusterIP}:${p.port}`], [`${base}_PROTO`, pr.toLowerCase()], [`${base}_PORT`, String(p.port)], [`${base}_ADDR`, s.clusterIP]);
    }
  }
  return out;
}

function mapKey(path: string, prefix: string): string | undefined {
  const m = new RegExp(`^${prefix}\\['(.*)'\\]$`).exec(path);
  return m?.[1];
}

/** A downward API field of the pod (fieldRef.fieldPath) as a string. */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata;
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? 'default';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    case 'metadata.labels':
      return formatMap(meta.labels ?? {});
    case 'metadata.annotations':
      return formatMap(meta.annotations ?? {});
  }
  const label = mapKey(fieldPath, 'metadata\\.labels');
  if (label !== undefined) return meta.labels?.[label] ?? '';
  const annotation = mapKey(fieldPath, 'metadata\\.annotations');
  if (annotation !== undefined) return meta.annotations?.[annotation] ?? '';
  throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
}

/** labels/annotations files: key="escaped value" lines, sorted (fieldpath.FormatMap). */
function formatMap(m: Record<string, string>): string {
  return Object.keys(m).sort().map((k) => `${k}=${JSON.stringify(m[k])}`).join('\n');
}

/** resourceFieldRef: the container's limit or request in units of the divisor, rounded up. */
export function resourceFieldValue(pod: Pod, container: Container | undefined, ref: { resource: string; divisor?: string | number }, allocatable: EnvSources['nodeAllocatable']): string {
  if (!container) throw new ContainerConfigError(`resourceFieldRef ${ref.resource}: container not found`);
  const [kind, name] = ref.resource.split('.') as ['limits' | 'requests', string];
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  let value = (kind === 'limits' ? limits[name] : requests[name]) ?? (kind === 'limits' ? (allocatable as Record<string, string | undefined>)[name] : undefined);
  if (value === undefined) value = kind === 'requests' ? 0 : '0';
  const q = Quantity.parse(String(value));
  const divisor = Quantity.parse(String(ref.divisor ?? (name === 'cpu' ? '1' : '1')));
  const d = divisor.nanos === 0n ? 1n : divisor.nanos;
  const n = q.nanos;
  return String((n + d - 1n) / d);
}

/** The container's environment in kubelet's order, or a ContainerConfigError the pod reports. */
export async function containerEnv(pod: Pod, container: Container, sources: EnvSources): Promise<Array<[string, string]>> {
  const vars = new Map<string, string>();
  const order: string[] = [];
  const set = (k: string, v: string): void => {
    if (!vars.has(k)) order.push(k);
    vars.set(k, v);
  };
  if (pod.spec.enableServiceLinks !== false) for (const [k, v] of serviceEnv(sources.services)) set(k, v);
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const data = from.configMapRef ? await sources.configMap(ref.name) : await sources.secret(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) set(e.name, await envValue(pod, container, e, vars, sources));
  return order.map((k) => [k, vars.get(k)!]);
}

async function envValue(pod: Pod, container: Container, e: EnvVar, vars: Map<string, string>, sources: EnvSources): Promise<string> {
  const from = e.valueFrom;
  if (!from) return expandVars(e.value ?? '', vars);
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath);
  if (from.resourceFieldRef) {
    const target = from.resourceFieldRef.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === from.resourceFieldRef!.containerName) : container;
    return resourceFieldValue(pod, target, from.resourceFieldRef, sources.nodeAllocatable);
  }
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (!ref) return '';
  const kind = from.configMapKeyRef ? 'configmap' : 'secret';
  const data = from.configMapKeyRef ? await sources.configMap(ref.name) : await sources.secret(ref.name);
  if (!data) {
    if (ref.optional) return '';
    throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
  }
  if (!(ref.key in data)) {
    if (ref.optional) return '';
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace}/${ref.name}`);
  }
  return data[ref.key];
}
