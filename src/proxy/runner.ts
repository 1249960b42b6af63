// The service proxy of one node: informers on Services and EndpointSlices feed a debounced sync of the
// chosen mode (iptables or userspace), and a metrics endpoint answers GET /proxyMode like kube-proxy's
// (127.0.0.1:10249 by default).
import http from 'node:http';
import { lookupResource, type ResourceInfo } from '../api/index.js';
import { InformerFactory, logError, type RestClient } from '../client/index.js';
import { IptablesProxier } from './iptables.js';
import { UserspaceProxier } from './userspace.js';
import { ensureServiceRoute, removeServiceRoute } from './service-route.js';
import { servicePortsFrom } from './service-ports.js';

export type ProxyMode = 'iptables' | 'userspace';

export interface ServiceProxyOptions {
  rest: RestClient;
  nodeName: string;
  mode: ProxyMode;
  clusterCIDR: string;
  serviceCIDR: string;
  /** "SKIFF" on the default data dir, "SKIFF-<tag>" otherwise (see DESIGN.md §4 on host-level names). */
  chainPrefix: string;
  /** The empty bridge the service CIDR is routed into. */
  serviceBridge: string;
  /** Addresses NodePorts answer on in userspace mode. */
  nodeAddresses: string[];
  metricsHost?: string;
  /** 10249 by default; 0 picks a free port. */
  metricsPort?: number;
  /** Coalesces bursts of changes into one sync. */
  debounceMs?: number;
}

export interface ServiceProxy {
  mode: ProxyMode;
  metricsPort: number;
  /** Resolves after the rules reflect everything the informers have seen so far. */
  flush(): Promise<void>;
  /** Stops syncing and removes every rule, address and route it made. */
  stop(): Promise<void>;
}

function resource(group: string, version: string, plural: string): ResourceInfo {
  const info = lookupResource(group, version, plural);
  if (!info) throw new Error(`resource ${plural} missing from the registry`);
  return info;
}

export async function startServiceProxy(options: ServiceProxyOptions): Promise<ServiceProxy> {
  await ensureServiceRoute(options.serviceCIDR, options.serviceBridge);
  const iptables = options.mode === 'iptables' ? new IptablesProxier({ chainPrefix: options.chainPrefix, clusterCIDR: options.clusterCIDR, masqueradeMark: '0x4000' }) : undefined;
  const userspace = options.mode === 'userspace' ? new UserspaceProxier({ bridge: options.serviceBridge, nodeAddresses: options.nodeAddresses }) : undefined;

  const factory = new InformerFactory(options.rest);
  const services = factory.informer(resource('', 'v1', 'services'));
  const slices = factory.informer(resource('discovery.k8s.io', 'v1', 'endpointslices'));

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastSync = 0;
  /** How long the last sync that changed the rules took (kube-proxy's sync_proxy_rules_duration). */
  let lastChangeSeconds = 0;
  let stopped = false;
  const sync = (): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      const started = performance.now();
      const ports = servicePortsFrom(services.lister.list(), slices.lister.list(), options.nodeName);
      try {
        const changed = iptables ? await iptables.sync(ports) : true;
        if (userspace) await userspace.sync(ports);
        lastSync = Date.now();
        if (changed) lastChangeSeconds = (performance.now() - started) / 1000;
      } catch (err) {
        logError('service proxy', 'sync failed; retrying', err);
        schedule();
      }
    });
    return running;
  };
  const schedule = (): void => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, options.debounceMs ?? 50);
  };
  for (const informer of [services, slices]) informer.addEventHandler({ add: schedule, update: schedule, delete: schedule });
  factory.start();
  await factory.waitForSync();
  await sync();

  const metrics = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/proxyMode') return res.end(options.mode);
    if (path === '/healthz' || path === '/livez') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ lastUpdated: new Date(lastSync).toISOString(), currentTime: new Date().toISOString() }));
    }
    if (path === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      return res.end(
        `# TYPE skiff_proxy_last_sync_timestamp_seconds gauge\nskiff_proxy_last_sync_timestamp_seconds ${lastSync / 1000}\n` +
          `# TYPE skiff_proxy_sync_proxy_rules_duration_seconds gauge\nskiff_proxy_sync_proxy_rules_duration_seconds ${lastChangeSeconds}\n`,
      );
    }
    res.statusCode = 404;
    res.end('404 page not found\n');
  });
  const metricsPort = await new Promise<number>((resolve, reject) => {
    metrics.once('error', reject);
    metrics.listen(options.metricsPort ?? 10249, options.metricsHost ?? '127.0.0.1', () => resolve((metrics.address() as { port: number }).port));
  });

  return {
    mode: options.mode,
    metricsPort,
    flush: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        await sync();
      }
      await running;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      factory.stop();
      metrics.close();
      await running;
      await iptables?.cleanup();
      await userspace?.close();
      await removeServiceRoute(options.serviceCIDR, options.serviceBridge);
    },
  };
}
