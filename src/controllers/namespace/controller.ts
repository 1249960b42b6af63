// The namespace controller (pkg/controller/namespace): when a namespace is Terminating, delete every
// namespaced object in it (background propagation, as kube's deleter does), write the deletion
// conditions after every pass, and once nothing is left remove the `kubernetes` finalizer through
// namespaces/finalize, which lets the API server delete the namespace. Content held by finalizers or
// by pods still in their grace period is waited for, as Kubernetes does, with its time estimates.
import type { KubeObject, ResourceInfo } from '../../api/index.js';
import { isConflict, isNotFound, QueueController, refs, ResourceClient, type Informer, type Pod } from '../../client/index.js';
import { deletableResources } from '../garbagecollector/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { deletionConditions, mergeConditions, type DeletionTotals, type NamespaceCondition } from './conditions.js';

export const KUBERNETES_FINALIZER = 'kubernetes';
/** Kubernetes' assumption for how long content with finalizers takes to go (finalizerEstimateSeconds). */
const FINALIZER_ESTIMATE_SECONDS = 15;
/** Deletions of content in a Terminating namespace come in bursts; one pass looks at a burst. */
const CONTENT_GONE_BATCH_MS = 300;

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

/** What one pass over one resource found. */
interface ResourcePass {
  remaining: KubeObject[];
  /** Seconds the remaining objects may still legitimately take (0: they should be gone by now). */
  estimate: number;
}

export class NamespaceController extends QueueController implements Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly client: ResourceClient<Namespace>;
  private readonly resources: ResourceInfo[];

  constructor(private readonly ctx: ControllerContext) {
    super('namespace');
    this.client = new ResourceClient<Namespace>(ctx.rest, refs.namespaces);
    this.resources = deletableResources().filter((r) => r.namespaced);
    this.namespaces = ctx.informers.informer<Namespace>(refs.namespaces);
    this.enqueueOn(this.namespaces, (ns) => (ns.metadata.deletionTimestamp ? ns.metadata.name : undefined));
    // Kubernetes only looks again after its estimate; the shared informers (the garbage collector's)
    // tell us when the last object actually goes, so the namespace goes right after it.
    for (const info of this.resources) {
      this.ctx.informers.informer(info).addEventHandler({
        delete: (obj) => {
          const ns = this.namespaces.lister.get(obj.metadata.namespace ?? '');
          if (ns?.metadata.deletionTimestamp) this.queue.addAfter(ns.metadata.name!, CONTENT_GONE_BATCH_MS);
        },
      });
    }
  }

  async sync(name: string): Promise<void> {
    const ns = this.namespaces.lister.get(name);
    if (!ns?.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;
    const { totals, estimate } = await this.deleteContent(ns);
    await this.writeConditions(ns, totals);
    if (totals.errors.length) throw new Error(`deleting the content of namespace ${name}: ${totals.errors.join('; ')}`);
    if (estimate > 0) {
      // kube's namespace controller: "some content remains", look again after half the estimate.
      this.queue.addAfter(name, (Math.floor(estimate / 2) + 1) * 1000);
      return;
    }
    await this.finalize(ns);
  }

  private async finalize(ns: Namespace): Promise<void> {
    const name = ns.metadata.name!;
    try {
      const finalized = await this.client.updateSubresource<Namespace>(name, 'finalize', { ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) } });
      // The API server deletes a Terminating namespace once both finalizer lists are empty; a delete
      // here covers an answer that still shows it, and finds it gone otherwise.
      if (!(finalized.spec?.finalizers ?? []).length && !(finalized.metadata.finalizers ?? []).length) {
        await this.client.delete(name, { preconditions: { uid: ns.metadata.uid } }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Status conditions are written on every pass that changes them; a lost race waits for the next pass. */
  private async writeConditions(ns: Namespace, totals: DeletionTotals): Promise<void> {
    const conditions = mergeConditions(ns.status?.conditions ?? [], deletionConditions(totals), this.ctx.now());
    if (!conditions) return;
    await this.client.updateStatus({ ...ns, status: { ...ns.status, conditions } }).catch((err: unknown) => {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    });
  }

  /** One pass: delete what is not yet being deleted, and total what is still there and why. */
  private async deleteContent(ns: Namespace): Promise<{ totals: DeletionTotals; estimate: number }> {
    const totals: DeletionTotals = { remaining: new Map(), finalizers: new Map(), errors: [] };
    let estimate = 0;
    const passes = await Promise.all(
      this.resources.map(async (info) => {
        try {
          return { info, pass: await this.deleteResource(info, ns) };
        } catch (err) {
          totals.errors.push((err as Error).message);
          return undefined;
        }
      }),
    );
    for (const done of passes) {
      if (!done?.pass.remaining.length) continue;
      const { info, pass } = done;
      totals.remaining.set(`${info.resource}.${info.group}`, pass.remaining.length);
      for (const obj of pass.remaining) for (const f of obj.metadata.finalizers ?? []) totals.finalizers.set(f, (totals.finalizers.get(f) ?? 0) + 1);
      estimate = Math.max(estimate, pass.estimate);
      if (!pass.estimate) totals.errors.push(`unexpected items still remain in namespace: ${ns.metadata.name} for gvr: ${info.group}/${info.version}, Resource=${info.resource}`);
    }
    return { totals, estimate };
  }

  private async deleteResource(info: ResourceInfo, ns: Namespace): Promise<ResourcePass> {
    const namespace = ns.metadata.name!;
    const client = new ResourceClient(this.ctx.rest, info);
    const { items } = await client.listAll({ namespace });
    const remaining: KubeObject[] = [];
    for (const obj of items) {
      if (obj.metadata.deletionTimestamp) {
        remaining.push(obj);
        continue;
      }
      try {
        const answer = await client.delete(obj.metadata.name!, { namespace, propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } });
        // The object comes back while it terminates; a Status means it is gone.
        if ((answer as KubeObject).metadata?.deletionTimestamp) remaining.push(answer as KubeObject);
      } catch (err) {
        if (isConflict(err)) remaining.push(obj);
        else if (!isNotFound(err)) throw err;
      }
    }
    if (!remaining.length) return { remaining, estimate: 0 };
    const graceful = info.group === '' && info.resource === 'pods' ? this.podGraceEstimate(items as Pod[], ns) : 0;
    const held = remaining.some((o) => o.metadata.finalizers?.length);
    return { remaining, estimate: graceful || (held ? FINALIZER_ESTIMATE_SECONDS : 0) };
  }

  /** The longest grace period of a running pod, while the namespace has been terminating for less than that. */
  private podGraceEstimate(pods: Pod[], ns: Namespace): number {
    const longest = Math.max(0, ...pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').map((p) => p.spec.terminationGracePeriodSeconds ?? 0));
    const elapsedSeconds = (this.ctx.now().getTime() - Date.parse(String(ns.metadata.deletionTimestamp))) / 1000;
    return elapsedSeconds >= longest ? 0 : longest;
  }
}
