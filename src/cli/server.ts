// `skiff server`: the control plane with k3s's flags. Starts the API server and prints how to use
// it; SIGINT/SIGTERM stop it cleanly. The scheduler, controllers and the local agent are started
// here too, from the handle startServer returns, as they land.
import path from 'node:path';
import type { CommandModule } from './command.js';
import { flagBool, flagInt, flagString, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { startServer } from '../apiserver/index.js';
import { cleanupNode, startAgent } from '../kubelet/index.js';
import { clientFromKubeconfig, sleep } from '../client/index.js';
import { startControlPlane } from './control-plane.js';

const FLAGS: FlagSpec[] = [
  { name: 'data-dir', short: 'd', kind: 'string', description: 'Folder to hold state (default /var/lib/skiff)' },
  { name: 'https-listen-port', kind: 'int', description: 'HTTPS listen port (default 6443)' },
  { name: 'bind-address', kind: 'string', description: 'Address to listen on (default 0.0.0.0)' },
  { name: 'write-kubeconfig', short: 'o', kind: 'string', description: 'Write the admin kubeconfig to this file' },
  { name: 'write-kubeconfig-mode', kind: 'string', description: 'Accepted for k3s compatibility; the kubeconfig is always 0600' },
  { name: 'datastore-endpoint', kind: 'string', description: 'etcd endpoints (http(s)://host:port,...) instead of the embedded SQLite store' },
  { name: 'datastore-cafile', kind: 'string' },
  { name: 'datastore-certfile', kind: 'string' },
  { name: 'datastore-keyfile', kind: 'string' },
  { name: 'token', short: 't', kind: 'string', description: 'Shared secret agents join with' },
  { name: 'disable-agent', kind: 'bool', description: 'Do not run a node agent on this machine' },
  { name: 'cleanup-on-exit', kind: 'bool', description: 'Stop and remove the node\'s containers when the server stops' },
  { name: 'disable-scheduler', kind: 'bool', description: 'Do not run the scheduler' },
  { name: 'scheduler-config', kind: 'string', description: 'KubeSchedulerConfiguration file (profiles, plugin weights)' },
  { name: 'disable-controller-manager', kind: 'bool', description: 'Do not run the controllers' },
  { name: 'node-name', kind: 'string', description: 'Node name (default: hostname)' },
  { name: 'cluster-cidr', kind: 'string', description: 'Pod network (default 10.42.0.0/16)' },
  { name: 'service-cidr', kind: 'string', description: 'Service network (default 10.43.0.0/16)' },
  { name: 'cluster-dns', kind: 'string', description: 'Cluster DNS IP (default 10.43.0.10)' },
  { name: 'cluster-domain', kind: 'string', description: 'Cluster domain (default cluster.local)' },
  { name: 'pod-manifest-path', kind: 'string', description: 'Static pod manifests, watched (default <data-dir>/agent/pod-manifests)' },
  { name: 'kube-proxy-mode', kind: 'string', description: 'iptables or userspace (default iptables)' },
  { name: 'ingress-http-port', kind: 'int', description: 'Ingress HTTP port (default 80)' },
  { name: 'ingress-https-port', kind: 'int', description: 'Ingress HTTPS port (default 443)' },
  { name: 'help', short: 'h', kind: 'bool' },
];

function usage(): string {
  return ['Usage: skiff server [OPTIONS]', '', 'Run the control plane (API server, scheduler, controllers) and a node agent.', '', 'Options:', ...FLAGS.filter((f) => f.description).map((f) => `  --${f.name.padEnd(24)} ${f.description}`)].join('\n');
}

export const run: CommandModule['run'] = async (argv) => {
  const flags = parseFlags(argv, FLAGS);
  if (flagBool(flags, 'help')) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (flags.positionals.length) throw new UsageError(`unexpected argument: ${flags.positionals[0]}`);
  const proxyMode = flagString(flags, 'kube-proxy-mode');
  if (proxyMode && proxyMode !== 'iptables' && proxyMode !== 'userspace') throw new UsageError(`invalid --kube-proxy-mode "${proxyMode}": expected iptables or userspace`);
  const endpoint = flagString(flags, 'datastore-endpoint');
  const dataDir = path.resolve(flagString(flags, 'data-dir') ?? '/var/lib/skiff');
  const handle = await startServer({
    dataDir,
    port: flagInt(flags, 'https-listen-port') ?? 6443,
    bindAddress: flagString(flags, 'bind-address'),
    kubeconfigPath: flagString(flags, 'write-kubeconfig'),
    token: flagString(flags, 'token'),
    nodeName: flagString(flags, 'node-name'),
    serviceCidr: flagString(flags, 'service-cidr'),
    datastore: endpoint
      ? { endpoint, caFile: flagString(flags, 'datastore-cafile'), certFile: flagString(flags, 'datastore-certfile'), keyFile: flagString(flags, 'datastore-keyfile') }
      : undefined,
  });
  const controlPlane = await startControlPlane(handle, {
    scheduler: !flagBool(flags, 'disable-scheduler'),
    controllers: !flagBool(flags, 'disable-controller-manager'),
    schedulerConfig: flagString(flags, 'scheduler-config'),
    clusterCIDR: flagString(flags, 'cluster-cidr'),
    storageDir: path.join(dataDir, 'storage'),
  });
  const bind = flagString(flags, 'bind-address');
  const agent = flagBool(flags, 'disable-agent')
    ? undefined
    : await startAgent({
        client: { server: handle.url, ca: Buffer.from(handle.admin.caCert), cert: Buffer.from(handle.admin.clientCert), key: Buffer.from(handle.admin.clientKey), namespace: 'default' },
        token: handle.joinToken,
        dataDir,
        nodeName: flagString(flags, 'node-name'),
        nodeIP: bind && bind !== '0.0.0.0' ? bind : undefined,
        controlPlane: true,
        clusterCIDR: flagString(flags, 'cluster-cidr'),
        clusterDNS: flagString(flags, 'cluster-dns'),
        clusterDomain: flagString(flags, 'cluster-domain'),
        podManifestPath: flagString(flags, 'pod-manifest-path'),
        services: {
          serviceCIDR: flagString(flags, 'service-cidr'),
          proxyMode: proxyMode === 'userspace' ? 'userspace' : 'iptables',
          ingress: { httpPort: flagInt(flags, 'ingress-http-port') ?? 80, httpsPort: flagInt(flags, 'ingress-https-port') ?? 443 },
        },
      });
  if (agent) await waitUntilUsable(handle.kubeconfigPath, agent.nodeName, !flagBool(flags, 'disable-controller-manager'));
  process.stdout.write(
    `skiff server: API server ready at ${handle.url}\n` +
      `  export KUBECONFIG=${handle.kubeconfigPath}\n` +
      `  (or: skiff kubectl get nodes)\n` +
      `  join token: ${path.join(handle.dataDir, 'server', 'token')}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stderr.write('skiff server: stopping\n');
  await agent?.stop();
  // Like k3s, containers outlive the server unless asked otherwise.
  if (agent && flagBool(flags, 'cleanup-on-exit')) await cleanupNode(dataDir, agent.podCIDR);
  await controlPlane.stop();
  await handle.stop();
  return 0;
};

/**
 * A newcomer's first `kubectl` should work: wait (at most a minute) until the local node is Ready and,
 * with the controllers running, the default ServiceAccount exists.
 */
async function waitUntilUsable(kubeconfig: string, nodeName: string, withControllers: boolean): Promise<void> {
  const rest = clientFromKubeconfig(kubeconfig, { maxRetries: 0 });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const node = await rest.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>({ path: `/api/v1/nodes/${nodeName}` }).catch(() => undefined);
      const ready = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const account = !withControllers || (await rest.request({ path: '/api/v1/namespaces/default/serviceaccounts/default' }).then(() => true, () => false));
      if (ready && account) return;
      if (Date.now() > deadline) {
        process.stderr.write(`skiff server: node ${nodeName} is not Ready yet; see 'skiff status'\n`);
        return;
      }
      await sleep(250);
    }
  } finally {
    rest.close();
  }
}
