// The disruption controller (pkg/controller/disruption): keeps every PodDisruptionBudget's status —
// expected, desired and current healthy pods, disruptionsAllowed and the DisruptionAllowed condition —
// from the pods its selector matches and the scale of their controllers.
import { deepEqual, lookupKind, parseApiVersion, selectorFromLabelSelector, type KubeObject, type LabelSelector, type OwnerReference } from '../../api/index.js';
import {
  controllerRefOf,
  isNotFound,
  isPodReady,
  objectKey,
  QueueController,
  refs,
  ResourceClient,
  rfc3339,
  splitKey,
  type Informer,
  type Pod,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { budgetNumbers, type BudgetSpec } from './budget.js';

export const PDBS = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true, kind: 'PodDisruptionBudget' };

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

interface PodDisruptionBudget extends KubeObject {
  spec?: BudgetSpec & { selector?: LabelSelector | null };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    disruptedPods?: Record<string, string>;
    conditions?: Condition[];
  };
}

export class DisruptionController extends QueueController implements Controller {
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly client: ResourceClient<PodDisruptionBudget>;

  constructor(private readonly ctx: ControllerContext) {
    super('disruption');
    this.client = new ResourceClient<PodDisruptionBudget>(ctx.rest, PDBS);
    this.pdbs = ctx.informers.informer<PodDisruptionBudget>(PDBS);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.enqueueOn(this.pdbs, objectKey);
    const podChanged = (...pods: Pod[]): void => {
      for (const pod of pods) for (const pdb of this.budgetsOf(pod)) this.queue.add(objectKey(pdb));
    };
    this.pods.addEventHandler({ add: (p) => podChanged(p), update: (o, n) => podChanged(o, n), delete: (p) => podChanged(p) });
  }

  private selected(pdb: PodDisruptionBudget): Pod[] {
    let selector;
    try {
      selector = selectorFromLabelSelector(pdb.spec?.selector ?? undefined);
    } catch {
      return [];
    }
    return this.pods.lister.listInNamespace(pdb.metadata.namespace ?? '', selector);
  }

  private budgetsOf(pod: Pod): PodDisruptionBudget[] {
    return this.pdbs.lister.listInNamespace(pod.metadata.namespace ?? '').filter((pdb) => this.selects(pdb, pod));
  }

  private selects(pdb: PodDisruptionBudget, pod: Pod): boolean {
    try {
      return selectorFromLabelSelector(pdb.spec?.selector ?? undefined).matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  }

  /** The replicas of a pod's controller; a ReplicaSet run by a Deployment counts the Deployment's. */
  private async controllerScale(namespace: string, ref: OwnerReference): Promise<number> {
    const { group, version } = parseApiVersion(ref.apiVersion);
    const info = lookupKind(group, version, ref.kind);
    if (!info) return 0;
    try {
      const owner = await new ResourceClient(this.ctx.rest, info).get(ref.name, namespace);
      const parent = controllerRefOf(owner);
      if (ref.kind === 'ReplicaSet' && parent?.kind === 'Deployment') return this.controllerScale(namespace, parent);
      return ((owner.spec ?? {}) as { replicas?: number }).replicas ?? 1;
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const pdb = this.pdbs.lister.get(name, namespace);
    if (!pdb) return;
    const pods = this.selected(pdb).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p)).length;
    // Scale is only needed for percentages and maxUnavailable; it is summed once per controller.
    const owners = new Map<string, OwnerReference>();
    for (const p of pods) {
      const ref = controllerRefOf(p);
      if (ref) owners.set(ref.uid, ref);
    }
    let scale = 0;
    for (const ref of owners.values()) scale += await this.controllerScale(namespace, ref);
    const numbers = budgetNumbers(pdb.spec ?? {}, pods.length, healthy, () => (owners.size ? scale : pods.length));
    const allowed = numbers.disruptionsAllowed > 0;
    const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const condition: Condition = {
      type: 'DisruptionAllowed',
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: pdb.metadata.generation,
      lastTransitionTime: old && old.status === (allowed ? 'True' : 'False') && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.ctx.now()),
    };
    const status = { ...pdb.status, ...numbers, observedGeneration: pdb.metadata.generation, disruptedPods: pdb.status?.disruptedPods ?? {}, conditions: [condition] };
    if (deepEqual(status, pdb.status)) return;
    await this.client.updateStatus({ ...pdb, status });
  }
}
