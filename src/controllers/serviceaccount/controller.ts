// The service account controller (pkg/controller/serviceaccount): every active namespace has the
// `default` ServiceAccount; a deleted one is recreated. Keys are namespace names.
import type { KubeObject } from '../../api/index.js';
import { isAlreadyExists, isForbidden, isNotFound, QueueController, refs, ResourceClient, type Informer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' };

/** kube's root-ca-cert-publisher: the cluster CA as ConfigMap kube-root-ca.crt in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export class ServiceAccountController extends QueueController implements Controller {
  private readonly published = new Set<string>();
  private readonly configMaps: ResourceClient;
  private readonly caCert: string;
  private readonly namespaces: Informer<KubeObject>;
  private readonly accounts: Informer<KubeObject>;
  private readonly client: ResourceClient;

  constructor(ctx: ControllerContext) {
    super('serviceaccount');
    this.client = new ResourceClient(ctx.rest, SERVICE_ACCOUNTS);
    this.configMaps = new ResourceClient(ctx.rest, { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' });
    this.caCert = ctx.rest.config.ca?.toString() ?? '';
    this.namespaces = ctx.informers.informer(refs.namespaces);
    this.accounts = ctx.informers.informer(SERVICE_ACCOUNTS);
    this.namespaces.addEventHandler({ add: (ns) => this.queue.add(ns.metadata.name!), update: (_o, ns) => this.queue.add(ns.metadata.name!) });
    this.accounts.addEventHandler({ delete: (sa) => this.queue.add(sa.metadata.namespace!) });
  }

  private async publishRootCA(namespace: string): Promise<void> {
    if (this.published.has(namespace) || !this.caCert) return;
    try {
      await this.configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace }, data: { 'ca.crt': this.caCert } });
    } catch (err) {
      if (!isAlreadyExists(err) && !isNotFound(err) && !isForbidden(err)) throw err;
    }
    this.published.add(namespace);
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    // The CA first: pods get a kube-api-access volume (which reads this ConfigMap) once the account exists.
    await this.publishRootCA(namespace);
    if (this.accounts.lister.get(DEFAULT_SERVICE_ACCOUNT, namespace)) return;
    try {
      await this.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } });
    } catch (err) {
      // Already there (the cache lags), or the namespace went away or started terminating meanwhile.
      if (!isAlreadyExists(err) && !isNotFound(err) && !isForbidden(err)) throw err;
    }
  }
}
