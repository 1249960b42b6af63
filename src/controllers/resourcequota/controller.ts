// The resource quota controller (pkg/controller/resourcequota): status.hard mirrors spec.hard and
// status.used is recounted from the objects in the namespace, so `kubectl describe quota` shows what
// is used. Recounted when a quota changes, when objects of the commonly limited kinds change, and
// every resync period for the rest (count/<anything>).
import { Quantity, type KubeObject, type ResourceInfo } from '../../api/index.js';
import { objectUsage, resourcesFor } from '../../apiserver/index.js';
import { objectKey, QueueController, refs, ResourceClient, splitKey, type Informer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';

export const RESOURCE_QUOTAS = { group: '', version: 'v1', resource: 'resourcequotas', namespaced: true, kind: 'ResourceQuota' };
const SERVICES = { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' };
/** kube-controller-manager's --resource-quota-sync-period is 5 minutes; ours is shorter, the count is cheap. */
const RESYNC_MS = 30_000;

interface ResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export class ResourceQuotaController extends QueueController implements Controller {
  private readonly quotas: Informer<ResourceQuota>;
  private readonly client: ResourceClient<ResourceQuota>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly ctx: ControllerContext) {
    super('resourcequota');
    this.client = new ResourceClient<ResourceQuota>(ctx.rest, RESOURCE_QUOTAS);
    this.quotas = ctx.informers.informer<ResourceQuota>(RESOURCE_QUOTAS);
    this.enqueueOn(this.quotas, objectKey);
    // Pods, services and claims come and go most; their changes recount the namespace's quotas at once.
    for (const ref of [refs.pods, SERVICES, refs.persistentVolumeClaims]) {
      const changed = (obj: KubeObject): void => {
        for (const q of this.quotas.lister.listInNamespace(obj.metadata.namespace ?? '')) this.queue.add(objectKey(q));
      };
      ctx.informers.informer(ref).addEventHandler({ add: changed, update: (_o, n) => changed(n), delete: changed });
    }
  }

  override run(workers: number): void {
    super.run(workers);
    this.timer = setInterval(() => this.enqueueAll(this.quotas, objectKey), RESYNC_MS);
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    await super.stop();
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const quota = this.quotas.lister.get(name, namespace);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hard = quota.spec?.hard ?? {};
    const listed = new Map<ResourceInfo, KubeObject[]>();
    const used: Record<string, string> = {};
    for (const key of Object.keys(hard)) {
      let total = Quantity.parse('0');
      for (const info of resourcesFor(key)) {
        let items = listed.get(info);
        if (!items) listed.set(info, (items = (await new ResourceClient(this.ctx.rest, info).listAll({ namespace })).items));
        for (const obj of items) {
          const q = objectUsage(info, obj).get(key);
          if (q) total = total.add(q);
        }
      }
      used[key] = total.toString();
    }
    const same = (a: Record<string, string> | undefined, b: Record<string, string>): boolean => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());
    if (same(quota.status?.hard, hard) && same(quota.status?.used, used)) return;
    await this.client.updateStatus({ ...quota, status: { hard, used } });
  }
}
