// Ingress objects → a routing table, with the matching rules of the networking.k8s.io/v1 spec:
// a host matches exactly, or a wildcard "*.example.com" matches exactly one leading label; exact hosts win
// over wildcards; paths match Exact (whole path) or Prefix (by "/"-separated elements), the longest match
// wins and Exact beats Prefix at equal length; ImplementationSpecific is treated as Prefix.

export interface BackendRef {
  namespace: string;
  service: string;
  /** A port number or a service port name. */
  port: number | string;
}

export interface PathRule {
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: BackendRef;
}

export interface HostRules {
  host: string;
  paths: PathRule[];
}

export interface RouteTable {
  rules: HostRules[];
  defaultBackend?: BackendRef;
  /** TLS secrets by host ("namespace/name"), for SNI. */
  tls: Map<string, string>;
}

interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
}

export interface IngressObject {
  metadata: { name?: string; namespace?: string; creationTimestamp?: string };
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: Array<{ hosts?: string[]; secretName?: string }>;
    rules?: Array<{ host?: string; http?: { paths?: Array<{ path?: string; pathType?: string; backend: IngressBackend }> } }>;
  };
}

function backendRef(namespace: string, b: IngressBackend | undefined): BackendRef | undefined {
  if (!b?.service?.name) return undefined;
  const port = b.service.port?.number ?? b.service.port?.name;
  if (port === undefined) return undefined;
  return { namespace, service: b.service.name, port };
}

/** Builds the table from the ingresses this controller serves (already filtered by class), oldest first. */
export function buildRouteTable(ingresses: IngressObject[]): RouteTable {
  const ordered = [...ingresses].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  const byHost = new Map<string, PathRule[]>();
  const table: RouteTable = { rules: [], tls: new Map() };
  for (const ing of ordered) {
    const ns = ing.metadata.namespace ?? 'default';
    const def = backendRef(ns, ing.spec?.defaultBackend);
    if (def && !table.defaultBackend) table.defaultBackend = def;
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      for (const host of tls.hosts ?? ['']) if (!table.tls.has(host)) table.tls.set(host, `${ns}/${tls.secretName}`);
    }
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const list = byHost.get(host) ?? [];
      for (const p of rule.http?.paths ?? []) {
        const backend = backendRef(ns, p.backend);
        if (!backend) continue;
        const pathType = (p.pathType as PathRule['pathType']) ?? 'ImplementationSpecific';
        list.push({ path: p.path || '/', pathType, backend });
      }
      byHost.set(host, list);
    }
  }
  for (const [host, paths] of byHost) table.rules.push({ host, paths });
  return table;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '') return true;
  if (pattern.startsWith('*.')) {
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot) === pattern.slice(1);
  }
  return pattern === host;
}

function pathMatches(rule: PathRule, path: string): boolean {
  if (rule.pathType === 'Exact') return path === rule.path;
  const prefix = rule.path.replace(/\/+$/, '');
  if (prefix === '') return true;
  return path === prefix || path.startsWith(prefix + '/');
}

/** The backend for a request, or undefined (the caller answers 404 from its default backend). */
export function route(table: RouteTable, rawHost: string, path: string): BackendRef | undefined {
  const host = rawHost.toLowerCase().replace(/:\d+$/, '');
  const specificity = (pattern: string) => (pattern === '' ? 0 : pattern.startsWith('*.') ? 1 : 2);
  // Like a web server's virtual hosts: the most specific matching host alone decides; a path it does
  // not route goes to the default backend, never to a less specific host.
  const rules = table.rules.filter((r) => hostMatches(r.host, host)).sort((a, b) => specificity(b.host) - specificity(a.host))[0];
  let best: PathRule | undefined;
  for (const rule of rules?.paths ?? []) {
    if (!pathMatches(rule, path)) continue;
    const better =
      !best ||
      rule.path.length > best.path.length ||
      (rule.path.length === best.path.length && rule.pathType === 'Exact' && best.pathType !== 'Exact');
    if (better) best = rule;
  }
  return best?.backend ?? table.defaultBackend;
}

/** The TLS secret for an SNI name: exact host, then a wildcard entry, then one without hosts. */
export function tlsSecretFor(table: RouteTable, servername: string): string | undefined {
  const host = servername.toLowerCase();
  if (table.tls.has(host)) return table.tls.get(host);
  for (const [pattern, secret] of table.tls) if (pattern.startsWith('*.') && hostMatches(pattern, host)) return secret;
  return table.tls.get('');
}
