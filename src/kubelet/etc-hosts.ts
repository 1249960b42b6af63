// The pod's /etc/hosts, which the kubelet manages rather than the runtime (kubelet_pods.go
// makeHostsMount): localhost lines, the pod's own IP with its hostname (and FQDN with a subdomain), then
// spec.hostAliases under "# Entries added by HostAliases."; a hostNetwork pod gets the node's file plus
// the aliases. Written once per pod into its directory and bind-mounted into every container that does
// not mount /etc/hosts itself.
import fs from 'node:fs';
import path from 'node:path';
import type { Pod } from '../client/index.js';

const HEADER = '# Kubernetes-managed hosts file.\n';
const HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

/** The pod's hostname: spec.hostname or its name, cut to 63 characters without a trailing '-' or '.'. */
export function podHostname(pod: Pod): string {
  const name = pod.spec.hostname || pod.metadata.name || '';
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[-.]+$/, '');
}

/** <subdomain>.<namespace>.svc.<cluster domain> when the pod has a subdomain. */
export function podDomain(pod: Pod, clusterDomain: string): string {
  return pod.spec.subdomain ? `${pod.spec.subdomain}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}` : '';
}

function aliasLines(pod: Pod): string {
  const aliases = pod.spec.hostAliases ?? [];
  if (!aliases.length) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

export function managedHostsFile(pod: Pod, podIPs: string[], clusterDomain: string, nodeHosts: string): string {
  if (pod.spec.hostNetwork) return HEADER_HOST_NETWORK + nodeHosts + aliasLines(pod);
  const host = podHostname(pod);
  const domain = podDomain(pod, clusterDomain);
  const own = podIPs.map((ip) => (domain ? `${ip}\t${host}.${domain}\t${host}\n` : `${ip}\t${host}\n`)).join('');
  return (
    HEADER +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n' +
    own +
    aliasLines(pod)
  );
}

/** The pod's hosts file (created on first use, then left alone as the kubelet does); returns its path. */
export function ensureHostsFile(podDir: string, pod: Pod, podIPs: string[], clusterDomain: string): string {
  const file = path.join(podDir, 'etc-hosts');
  if (fs.existsSync(file)) return file;
  let nodeHosts = '';
  if (pod.spec.hostNetwork) {
    try {
      nodeHosts = fs.readFileSync('/etc/hosts', 'utf8');
    } catch {
      nodeHosts = '';
    }
  }
  fs.mkdirSync(podDir, { recursive: true });
  fs.writeFileSync(file, managedHostsFile(pod, podIPs, clusterDomain, nodeHosts), { mode: 0o644 });
  return file;
}
