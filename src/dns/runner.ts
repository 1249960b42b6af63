// Cluster DNS for a node: informers on Namespaces, Services and EndpointSlices keep the resolver's view
// current; the server listens on the cluster DNS address (or wherever the caller says).
import fs from 'node:fs';
import { lookupResource, type ResourceInfo } from '../api/index.js';
import { InformerFactory, type RestClient } from '../client/index.js';
import { ClusterResolver } from './records.js';
import { startDnsServer, type DnsServer } from './server.js';
import { clusterViewFrom } from './cluster-view.js';

export interface ClusterDnsOptions {
  rest: RestClient;
  host: string;
  port: number;
  clusterDomain: string;
  /** Resolvers for other names; by default the nameservers of the host's /etc/resolv.conf. */
  upstreams?: string[];
}

function resource(group: string, version: string, plural: string): ResourceInfo {
  const info = lookupResource(group, version, plural);
  if (!info) throw new Error(`resource ${plural} missing from the registry`);
  return info;
}

export function hostNameservers(resolvConf = '/etc/resolv.conf'): string[] {
  try {
    return fs
      .readFileSync(resolvConf, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[0] === 'nameserver' && f[1])
      .map((f) => f[1]);
  } catch {
    return [];
  }
}

export async function startClusterDns(options: ClusterDnsOptions): Promise<DnsServer & { stop(): Promise<void> }> {
  const factory = new InformerFactory(options.rest);
  const namespaces = factory.informer(resource('', 'v1', 'namespaces'));
  const services = factory.informer(resource('', 'v1', 'services'));
  const slices = factory.informer(resource('discovery.k8s.io', 'v1', 'endpointslices'));
  const resolver = new ClusterResolver(options.clusterDomain, clusterViewFrom([], [], []));
  const refresh = () => resolver.update(clusterViewFrom(namespaces.lister.list(), services.lister.list(), slices.lister.list()));
  for (const informer of [namespaces, services, slices]) informer.addEventHandler({ add: refresh, update: refresh, delete: refresh });
  factory.start();
  await factory.waitForSync();
  refresh();
  const upstreams = (options.upstreams ?? hostNameservers()).filter((ip) => ip !== options.host);
  const server = await startDnsServer({ host: options.host, port: options.port, resolver, upstreams });
  return {
    ...server,
    stop: async () => {
      factory.stop();
      await server.close();
    },
  };
}
