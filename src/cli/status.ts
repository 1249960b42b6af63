// `skiff status`: one line per component of this machine's cluster — API server readiness, the
// scheduler's and controller manager's Leases (held and renewed within their duration), each node's Ready
// condition, and the local service proxy — in kubectl's column style. Exit 0 only when all are healthy.
import { clusterKubeconfig } from './kubectl.js';
import type { CommandModule } from './command.js';
import { flagBool, flagInt, flagString, parseFlags, UsageError } from './flags.js';
import { clientFromKubeconfig, type RestClient } from '../client/index.js';

interface Row {
  component: string;
  healthy: boolean;
  message: string;
}

interface Lease {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

interface NodeList {
  items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } }>;
}

async function leaseRow(rest: RestClient, name: string): Promise<Row> {
  try {
    const lease = await rest.request<Lease>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, timeoutMs: 5000 });
    const renewed = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const fresh = Date.now() - renewed < (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    return { component: name, healthy: fresh, message: fresh ? `leader ${lease.spec?.holderIdentity}` : `lease not renewed since ${lease.spec?.renewTime ?? 'ever'}` };
  } catch (err) {
    return { component: name, healthy: false, message: `no leader (${(err as Error).message})` };
  }
}

async function proxyRow(port: number): Promise<Row> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/proxyMode`, { signal: AbortSignal.timeout(3000) });
    return { component: 'service-proxy', healthy: res.ok, message: res.ok ? `mode ${await res.text()}` : `HTTP ${res.status}` };
  } catch {
    return { component: 'service-proxy', healthy: false, message: `not answering on 127.0.0.1:${port}` };
  }
}

export async function clusterStatus(rest: RestClient, proxyMetricsPort: number): Promise<Row[]> {
  const rows: Row[] = [];
  try {
    const ready = await rest.request<string>({ method: 'GET', path: '/readyz', timeoutMs: 5000 });
    rows.push({ component: 'apiserver', healthy: true, message: String(ready).trim() || 'ok' });
  } catch (err) {
    return [{ component: 'apiserver', healthy: false, message: (err as Error).message }];
  }
  rows.push(await leaseRow(rest, 'kube-scheduler'), await leaseRow(rest, 'kube-controller-manager'));
  const nodes = await rest.request<NodeList>({ method: 'GET', path: '/api/v1/nodes', timeoutMs: 5000 });
  if (nodes.items.length === 0) rows.push({ component: 'nodes', healthy: false, message: 'no node registered' });
  for (const node of nodes.items) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    rows.push({ component: `node/${node.metadata.name}`, healthy: ready?.status === 'True', message: ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'no Ready condition yet' });
  }
  rows.push(await proxyRow(proxyMetricsPort));
  return rows;
}

export const run: CommandModule['run'] = async (argv) => {
  const flags = parseFlags(argv, [
    { name: 'kubeconfig', kind: 'string' },
    { name: 'data-dir', short: 'd', kind: 'string' },
    { name: 'proxy-metrics-port', kind: 'int' },
    { name: 'help', short: 'h', kind: 'bool' },
  ]);
  if (flagBool(flags, 'help')) {
    process.stdout.write('Usage: skiff status [--data-dir DIR | --kubeconfig FILE] [--proxy-metrics-port 10249]\n\nShow the health of each component of this machine\'s cluster.\n');
    return 0;
  }
  if (flags.positionals.length) throw new UsageError(`unexpected argument: ${flags.positionals[0]}`);
  const dataDir = flagString(flags, 'data-dir');
  const kubeconfig = flagString(flags, 'kubeconfig') ?? (dataDir ? clusterKubeconfig({ SKIFF_DATA_DIR: dataDir }) : clusterKubeconfig());
  const rest = clientFromKubeconfig(kubeconfig, { maxRetries: 0 });
  try {
    const rows = await clusterStatus(rest, flagInt(flags, 'proxy-metrics-port') ?? 10249);
    const width = Math.max(9, ...rows.map((r) => r.component.length)) + 3;
    process.stdout.write(`${'COMPONENT'.padEnd(width)}${'STATUS'.padEnd(11)}MESSAGE\n`);
    for (const r of rows) process.stdout.write(`${r.component.padEnd(width)}${(r.healthy ? 'Healthy' : 'Unhealthy').padEnd(11)}${r.message}\n`);
    return rows.every((r) => r.healthy) ? 0 : 1;
  } finally {
    rest.close();
  }
};
