// `skiff agent --server URL --token T`: a node joining a cluster (k3s agent's flags). Runs until
// SIGINT/SIGTERM; containers keep running after it stops and are re-adopted by the next start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { CommandModule } from './command.js';
import { flagBool, flagInt, flagString, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { startAgent } from '../kubelet/index.js';

const FLAGS: FlagSpec[] = [
  { name: 'server', short: 's', kind: 'string', description: 'API server URL (https://HOST:6443)' },
  { name: 'token', short: 't', kind: 'string', description: 'The cluster join token' },
  { name: 'token-file', kind: 'string', description: 'Read the join token from this file' },
  { name: 'data-dir', short: 'd', kind: 'string', description: 'Folder to hold node state (default /var/lib/skiff)' },
  { name: 'node-name', kind: 'string', description: 'Node name (default: hostname)' },
  { name: 'node-ip', kind: 'string', description: 'Address the API server reaches this node at (default 127.0.0.1)' },
  { name: 'kubelet-port', kind: 'int', description: 'Kubelet streaming port (default 10250; 0 = any free port)' },
  { name: 'pod-cidr', kind: 'string', description: "This node's pod network (default: the Node's spec.podCIDR as the node IPAM controller assigns it, else a /24 of the cluster CIDR)" },
  { name: 'cluster-cidr', kind: 'string', description: 'Pod network of the cluster (default 10.42.0.0/16)' },
  { name: 'cluster-dns', kind: 'string', description: 'Cluster DNS IP (default 10.43.0.10)' },
  { name: 'cluster-domain', kind: 'string', description: 'Cluster domain (default cluster.local)' },
  { name: 'pod-manifest-path', kind: 'string', description: 'Static pod manifests, watched (default <data-dir>/agent/pod-manifests)' },
  { name: 'service-cidr', kind: 'string', description: 'Service network (default 10.43.0.0/16)' },
  { name: 'kube-proxy-mode', kind: 'string', description: 'iptables or userspace (default iptables)' },
  { name: 'kube-proxy-metrics-port', kind: 'int', description: 'Service proxy metrics port on 127.0.0.1 (default 10249; 0 = any free port)' },
  { name: 'ingress-http-port', kind: 'int', description: 'Ingress HTTP port (default 80)' },
  { name: 'ingress-https-port', kind: 'int', description: 'Ingress HTTPS port (default 443)' },
  { name: 'help', short: 'h', kind: 'bool' },
];

function usage(): string {
  return ['Usage: skiff agent --server URL --token TOKEN [OPTIONS]', '', 'Run a node: kubelet and node services.', '', 'Options:', ...FLAGS.filter((f) => f.description).map((f) => `  --${f.name.padEnd(20)} ${f.description}`)].join('\n');
}

/** The cluster CA from the server's /cacerts (k3s's bootstrap), fetched before anything is trusted. */
async function fetchCA(server: string): Promise<string> {
  const url = new URL('/cacerts', server);
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => (res.statusCode === 200 && body.includes('BEGIN CERTIFICATE') ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`))));
      })
      .on('error', (err) => reject(new Error(`cannot reach the server at ${server}: ${err.message}`)));
  });
}

export const run: CommandModule['run'] = async (argv) => {
  const flags = parseFlags(argv, FLAGS);
  if (flagBool(flags, 'help')) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const server = flagString(flags, 'server');
  const tokenFile = flagString(flags, 'token-file');
  const token = flagString(flags, 'token') ?? (tokenFile ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (!server) throw new UsageError('--server is required');
  if (!token) throw new UsageError('--token (or --token-file) is required');
  const proxyMode = flagString(flags, 'kube-proxy-mode') ?? 'iptables';
  if (proxyMode !== 'iptables' && proxyMode !== 'userspace') throw new UsageError(`invalid --kube-proxy-mode "${proxyMode}": expected iptables or userspace`);
  const dataDir = path.resolve(flagString(flags, 'data-dir') ?? '/var/lib/skiff');
  const caCert = await fetchCA(server);
  // A full join token (K10<sha256 of the CA>::server:<secret>) pins the CA, as k3s agents check it.
  const pinned = /^K10([0-9a-f]{64})::/.exec(token)?.[1];
  if (pinned && crypto.createHash('sha256').update(caCert).digest('hex') !== pinned) throw new Error(`the CA served by ${server} does not match the join token`);
  const agent = await startAgent({
    client: { server, token, ca: Buffer.from(caCert), namespace: 'default' },
    token,
    dataDir,
    nodeName: flagString(flags, 'node-name'),
    nodeIP: flagString(flags, 'node-ip'),
    kubeletPort: flagInt(flags, 'kubelet-port'),
    podCIDR: flagString(flags, 'pod-cidr'),
    clusterCIDR: flagString(flags, 'cluster-cidr'),
    clusterDNS: flagString(flags, 'cluster-dns'),
    clusterDomain: flagString(flags, 'cluster-domain'),
    podManifestPath: flagString(flags, 'pod-manifest-path'),
    services: {
      serviceCIDR: flagString(flags, 'service-cidr'),
      proxyMode,
      metricsPort: flagInt(flags, 'kube-proxy-metrics-port'),
      ingress: { httpPort: flagInt(flags, 'ingress-http-port') ?? 80, httpsPort: flagInt(flags, 'ingress-https-port') ?? 443 },
    },
  });
  process.stdout.write(`skiff agent: node ${agent.nodeName} ready (kubelet port ${agent.kubeletPort})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stderr.write('skiff agent: stopping (containers keep running)\n');
  await agent.stop();
  return 0;
};
