// `startServer(options)`: the API server of `skiff server` — certificates, tokens, store, watch
// cache, HTTPS listener and the admin kubeconfig — returning a handle that the rest of the control
// plane (scheduler, controllers, agent) is started from.
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { openStore, type Store, type StoreConfig } from '../storage/index.js';
import { namespaceLifecycle, type AdmissionPlugin } from './admission.js';
import { clusterAdmission } from './admission/index.js';
import { allowAuthenticated, clientCertAuthenticator, ensureTokens, tokenAuthenticator, type Authenticator, type Authorizer } from './auth.js';
import { ensureKubernetesService, ensureSystemNamespaces, keepSystemObjects } from './bootstrap.js';
import type { ServerCore } from './context.js';
import { storageResources } from './discovery.js';
import { writeKubeconfig } from './kubeconfig.js';
import { Metrics } from './metrics.js';
import { ResourceMetrics } from './metrics-api.js';
import { ObjectStorage } from './objects.js';
import { kubeletConnectors } from './kubelet-proxy.js';
import { ensurePki } from './pki.js';
import { proxyConnectors } from './proxy.js';
import type { Connector, Connectors } from './router.js';
import { createHttpsServer } from './server.js';
import { serviceAccountAuthenticator, ServiceAccountTokens, tokenRequestConnector } from './serviceaccount-token.js';
import { DEFAULT_SERVICE_CIDR, kubernetesServiceIP, ServiceAllocator } from './service-alloc.js';
import { WatchCache } from './watch-cache.js';

export type { AdmissionPlugin, AdmissionAttributes, AdmissionContext } from './admission.js';
export type { Authenticator, Authorizer, UserInfo } from './auth.js';
export type { Connector } from './router.js';
export type { ResourceContext } from './context.js';
export { kubeconfigYaml } from './kubeconfig.js';
export { KUBE_VERSION } from './nonresource.js';
export { kubeletAddress, KUBELET_DEFAULT_PORT } from './kubelet-proxy.js';
export { objectUsage, resourcesFor, type Usage } from './admission/index.js';

export interface ServerOptions {
  dataDir: string;
  /** 6443 by default; 0 picks a free port. */
  port?: number;
  /** Address to listen on (default 0.0.0.0, as k3s). */
  bindAddress?: string;
  /** Where the admin kubeconfig goes (default <data-dir>/kubeconfig.yaml). */
  kubeconfigPath?: string;
  /** The join token (default: made once and kept in <data-dir>/server/token). */
  token?: string;
  nodeName?: string;
  /** Service ClusterIPs come from here (default 10.43.0.0/16); its first address is the kubernetes Service's. */
  serviceCidr?: string;
  /** etcd instead of the embedded SQLite store. */
  datastore?: { endpoint: string; caFile?: string; certFile?: string; keyFile?: string };
  /** Extra plugins appended to each chain. */
  authenticators?: Authenticator[];
  authorizers?: Authorizer[];
  admission?: AdmissionPlugin[];
}

/** How in-process components reach the API server as the cluster admin. */
export interface AdminClientConfig {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export interface ServerHandle {
  /** https://127.0.0.1:<port> (loopback, whatever the bind address). */
  url: string;
  port: number;
  kubeconfigPath: string;
  dataDir: string;
  joinToken: string;
  admin: AdminClientConfig;
  store: Store;
  /** The key pair service account tokens are signed (private) and verified (public) with, PEM. */
  serviceAccountKeys: { privateKey: string; publicKey: string };
  /** Serve a connect-style subresource such as "pods/log" or "serviceaccounts/token". */
  addConnector(resourceAndSubresource: string, handler: Connector): void;
  /** Append a plugin to a chain while the server runs (components started after the server). */
  addAdmission(plugin: AdmissionPlugin): void;
  addAuthenticator(authenticator: Authenticator): void;
  addAuthorizer(authorizer: Authorizer): void;
  stop(): Promise<void>;
}

/** The address pods reach this API server at: the bind address, else the host's first external IPv4. */
function podReachableAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0') return bindAddress;
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const dataDir = path.resolve(options.dataDir);
  const serverDir = path.join(dataDir, 'server');
  fs.mkdirSync(serverDir, { recursive: true, mode: 0o700 });
  const nodeName = options.nodeName ?? os.hostname().toLowerCase();
  const bindAddress = options.bindAddress ?? '0.0.0.0';
  const pki = ensurePki(path.join(serverDir, 'tls'), { nodeName, extraIps: [bindAddress] });
  const tokens = ensureTokens(serverDir, pki.caCert, options.token);

  const serviceCidr = options.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const storeConfig: StoreConfig = options.datastore ? { ...options.datastore } : { dataDir };
  const store = await openStore(storeConfig);
  const cache = new WatchCache(store, storageResources());
  await cache.start();
  const stopping = new AbortController();
  // Every open watch listens for shutdown on this signal: hundreds at once are normal, not a leak.
  setMaxListeners(0, stopping.signal);
  const core: ServerCore = {
    store,
    objects: new ObjectStorage(store),
    cache,
    admission: [namespaceLifecycle, ...clusterAdmission, ...(options.admission ?? [])],
    metrics: new Metrics(),
    stopping: stopping.signal,
    services: new ServiceAllocator({ serviceCidr, nodePortMin: 30000, nodePortMax: 32767 }, () => cache.cache('services').list('/registry/services/').map((o) => o.obj)),
  };
  await ensureSystemNamespaces(core.objects);

  const saTokens = new ServiceAccountTokens({ privateKey: pki.serviceAccountKey, publicKey: pki.serviceAccountPublicKey });
  const connectors: Connectors = new Map([...kubeletConnectors(tokens.joinToken), ...proxyConnectors(), ['serviceaccounts/token', tokenRequestConnector(saTokens)]]);
  // Service-account JWTs go before the static tokens, which refuse any bearer token they do not know.
  const authenticators: Authenticator[] = [clientCertAuthenticator, serviceAccountAuthenticator(saTokens), tokenAuthenticator(tokens.tokens), ...(options.authenticators ?? [])];
  const authorizers: Authorizer[] = [allowAuthenticated, ...(options.authorizers ?? [])];
  let serverAddress = '';
  const server = createHttpsServer(
    { key: pki.servingKey, cert: pki.servingCert, ca: pki.caCert },
    {
      core,
      authenticators,
      authorizers,
      connectors,
      resourceMetrics: new ResourceMetrics(core, tokens.joinToken),
      get serverAddress() {
        return serverAddress;
      },
      checks: [
        { name: 'ping', check: async () => undefined },
        { name: 'etcd', check: async () => void (await store.currentRevision()) },
        {
          name: 'informer-sync',
          check: async () => {
            if (!(await cache.sync(1000))) throw new Error('the watch cache is behind the store');
          },
        },
      ],
      metrics: () => core.metrics.render(cache.sizes()),
      caCert: pki.caCert,
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 6443, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `${bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress}:${port}`;
  const url = `https://127.0.0.1:${port}`;
  const apiEndpoint = { clusterIP: kubernetesServiceIP(serviceCidr), address: podReachableAddress(bindAddress), port };
  await ensureKubernetesService(core.objects, apiEndpoint);
  keepSystemObjects(core.objects, apiEndpoint, stopping.signal, (err) => process.stderr.write(`apiserver: keeping the system namespaces and the kubernetes service: ${err instanceof Error ? err.message : String(err)}\n`));
  const admin: AdminClientConfig = { server: url, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey };
  const kubeconfigPath = path.resolve(options.kubeconfigPath ?? path.join(dataDir, 'kubeconfig.yaml'));
  writeKubeconfig(kubeconfigPath, admin);

  let stopped = false;
  return {
    url,
    port,
    kubeconfigPath,
    dataDir,
    joinToken: tokens.joinToken,
    admin,
    store,
    serviceAccountKeys: { privateKey: pki.serviceAccountKey, publicKey: pki.serviceAccountPublicKey },
    addConnector: (key, handler) => void connectors.set(key, handler),
    addAdmission: (plugin) => void core.admission.push(plugin),
    addAuthenticator: (a) => void authenticators.push(a),
    addAuthorizer: (a) => void authorizers.push(a),
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping.abort();
      cache.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
