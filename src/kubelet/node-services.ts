// The node-level services an agent runs once its Node is registered: the service proxy, the cluster
// DNS responder and the ingress controller. The cluster DNS address is added to the node's service
// bridge (the service CIDR is routed there), so pods reach it through their default route and the
// responder listens on it directly. stop() undoes all of it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RestClient } from '../client/index.js';
import { startClusterDns } from '../dns/index.js';
import { startIngressController } from '../ingress/index.js';
import { startServiceProxy, type ProxyMode } from '../proxy/index.js';
import type { HostNames } from './host-names.js';

const run = promisify(execFile);

export interface NodeServicesOptions {
  rest: RestClient;
  nodeName: string;
  nodeIP: string;
  names: HostNames;
  clusterCIDR: string;
  serviceCIDR: string;
  clusterDNS: string;
  clusterDomain: string;
  proxyMode: ProxyMode;
  /** Proxy metrics port (10249 by default; 0 = any free port). */
  metricsPort?: number;
  /** DNS port on the cluster DNS address (53). */
  dnsPort?: number;
  /** Ingress ports; undefined = no ingress controller. */
  ingress?: { httpPort: number; httpsPort: number; stateDir: string };
}

export interface NodeServices {
  metricsPort: number;
  stop(): Promise<void>;
}

export async function startNodeServices(o: NodeServicesOptions): Promise<NodeServices> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const proxy = await startServiceProxy({
      rest: o.rest,
      nodeName: o.nodeName,
      mode: o.proxyMode,
      clusterCIDR: o.clusterCIDR,
      serviceCIDR: o.serviceCIDR,
      chainPrefix: o.names.chainPrefix,
      serviceBridge: o.names.serviceBridge,
      nodeAddresses: [o.nodeIP],
      metricsHost: '127.0.0.1',
      metricsPort: o.metricsPort,
    });
    stops.push(() => proxy.stop());
    await run('ip', ['addr', 'replace', `${o.clusterDNS}/32`, 'dev', o.names.serviceBridge]);
    stops.push(async () => void (await run('ip', ['addr', 'del', `${o.clusterDNS}/32`, 'dev', o.names.serviceBridge]).catch(() => undefined)));
    const dns = await startClusterDns({ rest: o.rest, host: o.clusterDNS, port: o.dnsPort ?? 53, clusterDomain: o.clusterDomain });
    stops.push(() => dns.stop());
    if (o.ingress) {
      const ingress = await startIngressController({ rest: o.rest, nodeName: o.nodeName, nodeIP: o.nodeIP, bindAddress: o.nodeIP, ...o.ingress });
      stops.push(() => ingress.stop());
    }
    return { metricsPort: proxy.metricsPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
