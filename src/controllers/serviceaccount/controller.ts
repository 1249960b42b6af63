// The service account controller (pkg/controller/serviceaccount): every active namespace has the
// `default` ServiceAccount; a deleted one is recreated. Keys are namespace names.
import type { KubeObject } from '../../api/index.js';
import { isAlreadyExists, isForbidden, isNotFound, refs, ResourceClient, requeueOnConflict, runWorkers, WorkQueue, type Informer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' };

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount';
  private readonly queue = new WorkQueue<string>();
  private readonly namespaces: Informer<KubeObject>;
  private readonly accounts: Informer<KubeObject>;
  private readonly client: ResourceClient;
  private workers?: Promise<void>;

  constructor(ctx: ControllerContext) {
    this.client = new ResourceClient(ctx.rest, SERVICE_ACCOUNTS);
    this.namespaces = ctx.informers.informer(refs.namespaces);
    this.accounts = ctx.informers.informer(SERVICE_ACCOUNTS);
    this.namespaces.addEventHandler({ add: (ns) => this.queue.add(ns.metadata.name!), update: (_o, ns) => this.queue.add(ns.metadata.name!) });
    this.accounts.addEventHandler({ delete: (sa) => this.queue.add(sa.metadata.namespace!) });
  }

  run(workers: number): void {
    this.workers = runWorkers(this.queue, workers, requeueOnConflict(this.queue, (ns) => this.sync(ns), this.name), this.name);
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.workers;
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (this.accounts.lister.get(DEFAULT_SERVICE_ACCOUNT, namespace)) return;
    try {
      await this.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } });
    } catch (err) {
      // Already there (the cache lags), or the namespace went away or started terminating meanwhile.
      if (!isAlreadyExists(err) && !isNotFound(err) && !isForbidden(err)) throw err;
    }
  }
}
