// The namespace controller (pkg/controller/namespace): when a namespace is Terminating, delete every
// namespaced object in it (background propagation, as kube's deleter does) and once nothing is left
// remove the `kubernetes` finalizer through namespaces/finalize, which lets the API server delete the
// namespace. Kubernetes' progress conditions (NamespaceDeletionContentFailure…) are not written yet.
import type { KubeObject, ResourceInfo } from '../../api/index.js';
import { isNotFound, isConflict, logError, refs, ResourceClient, requeueOnConflict, runWorkers, WorkQueue, type Informer } from '../../client/index.js';
import { deletableResources } from '../garbagecollector/index.js';
import type { Controller, ControllerContext } from '../index.js';

export const KUBERNETES_FINALIZER = 'kubernetes';
/** How soon a namespace whose content is still going away is looked at again. */
const RECHECK_MS = 1000;

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
}

/** What one deletion pass found. */
interface DeletionPass {
  /** Objects (any resource) still in the namespace, being deleted or not. */
  remaining: number;
  failed: boolean;
}

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private readonly queue = new WorkQueue<string>();
  private readonly namespaces: Informer<Namespace>;
  private readonly client: ResourceClient<Namespace>;
  private readonly resources: ResourceInfo[];
  private workers?: Promise<void>;

  constructor(private readonly ctx: ControllerContext) {
    this.client = new ResourceClient<Namespace>(ctx.rest, refs.namespaces);
    this.resources = deletableResources().filter((r) => r.namespaced);
    this.namespaces = ctx.informers.informer<Namespace>(refs.namespaces);
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.namespaces.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n) });
  }

  run(workers: number): void {
    this.workers = runWorkers(this.queue, workers, requeueOnConflict(this.queue, (name) => this.sync(name), this.name), this.name);
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.workers;
  }

  async sync(name: string): Promise<void> {
    const ns = this.namespaces.lister.get(name);
    if (!ns?.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;
    const pass = await this.deleteContent(name);
    if (pass.failed || pass.remaining > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    try {
      const finalized = await this.client.updateSubresource<Namespace>(name, 'finalize', { ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) } });
      // The API server deletes a Terminating namespace once both finalizer lists are empty; a delete
      // here covers an answer that still shows it, and finds it gone otherwise.
      if (!(finalized.spec?.finalizers ?? []).length && !(finalized.metadata.finalizers ?? []).length) {
        await this.client.delete(name).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** One pass: delete what is not yet being deleted, and count what is still there. */
  private async deleteContent(namespace: string): Promise<DeletionPass> {
    const pass: DeletionPass = { remaining: 0, failed: false };
    await Promise.all(
      this.resources.map(async (info) => {
        const client = new ResourceClient(this.ctx.rest, info);
        try {
          const { items } = await client.listAll({ namespace });
          pass.remaining += items.length;
          for (const obj of items) {
            if (obj.metadata.deletionTimestamp) continue;
            await client.delete(obj.metadata.name!, { namespace, propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } }).catch((err: unknown) => {
              if (!isNotFound(err) && !isConflict(err)) throw err;
            });
          }
        } catch (err) {
          pass.failed = true;
          logError(this.name, `deleting ${info.resource} in namespace ${namespace} failed`, err);
        }
      }),
    );
    return pass;
  }
}
