// Subresources with their own shapes: scale (autoscaling/v1 Scale over the parent's replicas),
// pods/binding (the scheduler's assignment), pods/eviction (a delete that a PodDisruptionBudget may
// refuse) and namespaces/finalize.
import { badRequest, conflict, internalError, invalid, lookupResource, methodNotAllowed, selectorFromLabelSelector, StatusError, type KubeObject, type LabelSelector, type ScaleSubresource } from '../api/index.js';
import { isDryRun, type ResourceContext } from './context.js';
import { decodeObject } from './decode.js';
import { sendJson, successStatus } from './http-util.js';
import { applyPatch, patchTypeOf, prepareForUpdate, selectorString } from './model.js';
import { listPrefix, nowTimestamp } from './objects.js';
import { deleteOne, type DeleteOptions } from './rest-delete.js';
import { negotiateOrFail, sendObject } from './rest-read.js';

function readPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.').filter(Boolean)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.').filter(Boolean);
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!cur[part] || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function scaleOf(obj: KubeObject, scale: ScaleSubresource): KubeObject {
  const m = obj.metadata;
  const selector = scale.labelSelectorPath ? readPath(obj, scale.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(readPath(obj, scale.specReplicasPath) ?? 0) },
    status: { replicas: Number(readPath(obj, scale.statusReplicasPath) ?? 0), selector: selectorString(selector) },
  };
}

const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

async function handleScale(ctx: ResourceContext, body: Buffer): Promise<void> {
  const scale = ctx.info.subresources.scale!;
  const out = negotiateOrFail(ctx, ctx.ri.verb === 'get');
  const { info, ri, core } = ctx;
  if (ri.verb === 'get') return sendObject(ctx, 200, scaleOf(await core.objects.get(info, ri.namespace, ri.name), scale), out);
  if (ri.verb !== 'update' && ri.verb !== 'patch') throw methodNotAllowed();
  const { obj } = await core.objects.update(
    info,
    ri.namespace,
    ri.name,
    async (current) => {
      const currentScale = scaleOf(current, scale);
      let wanted: KubeObject;
      if (ri.verb === 'update') {
        wanted = decodeObject(ctx, body, SCALE_KIND);
      } else {
        wanted = applyPatch(SCALE_KIND, patchTypeOf(ctx.req.headers['content-type'], SCALE_KIND), currentScale, body.toString('utf8'));
      }
      const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', ri.name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }]);
      }
      const next = structuredClone(current);
      writePath(next as Record<string, unknown>, scale.specReplicasPath, replicas);
      const rv = wanted.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) next.metadata.resourceVersion = rv;
      else delete next.metadata.resourceVersion;
      prepareForUpdate(info, next, current, '');
      return next;
    },
    isDryRun(ctx.query),
  );
  sendObject(ctx, 200, scaleOf(obj, scale), out);
}

/** pods/binding: sets spec.nodeName once and marks the pod scheduled (kube's assignPod). */
async function handleBinding(ctx: ResourceContext, body: Buffer): Promise<void> {
  const { info, ri, core } = ctx;
  if (ri.verb !== 'create') throw methodNotAllowed();
  const binding = decodeObject(ctx, body, { group: '', version: 'v1', kind: 'Binding' });
  const target = (binding as { target?: { name?: string } }).target;
  if (!target?.name) throw badRequest('Binding.target.name: Required value');
  await core.objects.update(
    info,
    ri.namespace,
    ri.name,
    async (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw conflict(info.resource, info.group, ri.name, `pod ${ri.name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw conflict(info.resource, info.group, ri.name, `pod ${ri.name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = target.name;
      pod.spec = spec;
      const status = (pod.status ?? {}) as { conditions?: Array<Record<string, unknown>> };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
      status.conditions = conditions;
      pod.status = status;
      if (binding.metadata.annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
      delete pod.metadata.resourceVersion;
      return pod;
    },
    isDryRun(ctx.query),
  );
  sendJson(ctx.res, 201, { ...successStatus(), code: 201 });
}

interface Budget extends KubeObject {
  spec?: { selector?: LabelSelector };
  status?: { disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; observedGeneration?: number; disruptedPods?: Record<string, string> };
}

/**
 * The PodDisruptionBudget check of kube's eviction REST: a running pod covered by a budget with no
 * disruption left is refused with 429 (kubectl drain retries); otherwise the budget's allowance is
 * spent in its status (disruptedPods) before the pod is deleted. Terminal pods are deleted freely.
 */
async function spendDisruptionBudget(ctx: ResourceContext, dryRun: boolean): Promise<void> {
  const pod = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, ctx.ri.name);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return;
  const pdbInfo = lookupResource('policy', 'v1', 'poddisruptionbudgets');
  if (!pdbInfo) return;
  const listed = await ctx.core.store.list(listPrefix(pdbInfo, ctx.ri.namespace));
  const labels = pod.metadata.labels ?? {};
  const budgets = listed.items
    .map((kv) => JSON.parse(kv.value) as Budget)
    .filter((pdb) => pdb.spec?.selector && selectorFromLabelSelector(pdb.spec.selector).matches(labels));
  if (budgets.length === 0) return;
  if (budgets.length > 1) throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const refusal = (status: Budget['status']) =>
    new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${budgets[0].metadata.name} needs ${status?.desiredHealthy ?? 0} healthy pods and has ${status?.currentHealthy ?? 0} currently` }],
    });
  await ctx.core.objects.update(
    pdbInfo,
    ctx.ri.namespace,
    budgets[0].metadata.name ?? '',
    async (current) => {
      const pdb = current as Budget;
      const status = pdb.status ?? {};
      if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0) || (status.disruptionsAllowed ?? 0) < 1) throw refusal(status);
      pdb.status = { ...status, disruptionsAllowed: (status.disruptionsAllowed ?? 0) - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [ctx.ri.name]: nowTimestamp() } };
      delete pdb.metadata.resourceVersion;
      return pdb;
    },
    dryRun,
  );
}

async function handleEviction(ctx: ResourceContext, body: Buffer): Promise<void> {
  if (ctx.ri.verb !== 'create') throw methodNotAllowed();
  const eviction = decodeObject(ctx, body, { group: 'policy', version: 'v1', kind: 'Eviction' });
  const opts = ((eviction as { deleteOptions?: DeleteOptions }).deleteOptions ?? {}) as DeleteOptions;
  await spendDisruptionBudget(ctx, isDryRun(ctx.query));
  await deleteOne(ctx, ctx.ri.namespace, ctx.ri.name, opts);
  sendJson(ctx.res, 201, { ...successStatus(), code: 201 });
}

/** namespaces/finalize: only spec.finalizers changes (the namespace controller empties it). */
async function handleFinalize(ctx: ResourceContext, body: Buffer): Promise<void> {
  if (ctx.ri.verb !== 'update') throw methodNotAllowed();
  const out = negotiateOrFail(ctx, false);
  const wanted = decodeObject(ctx, body, ctx.info);
  const { obj } = await ctx.core.objects.update(
    ctx.info,
    '',
    ctx.ri.name,
    async (ns) => {
      ns.spec = { ...((ns.spec as object | undefined) ?? {}), finalizers: (wanted.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] };
      if (wanted.metadata.resourceVersion && wanted.metadata.resourceVersion !== ns.metadata.resourceVersion) ns.metadata.resourceVersion = wanted.metadata.resourceVersion;
      else delete ns.metadata.resourceVersion;
      return ns;
    },
    isDryRun(ctx.query),
  );
  sendObject(ctx, 200, obj, out);
}

export type SubresourceHandler = (ctx: ResourceContext, body: Buffer) => Promise<void>;

/** The handler for a subresource other than status, or undefined when the resource has none such. */
export function subresourceHandler(ctx: ResourceContext): SubresourceHandler | undefined {
  const { info, ri } = ctx;
  if (ri.subresource === 'scale' && info.subresources.scale) return handleScale;
  if (info.group === '' && info.resource === 'pods' && ri.subresource === 'binding') return handleBinding;
  if (info.group === '' && info.resource === 'pods' && ri.subresource === 'eviction') return handleEviction;
  if (info.group === '' && info.resource === 'namespaces' && ri.subresource === 'finalize') return handleFinalize;
  return undefined;
}
