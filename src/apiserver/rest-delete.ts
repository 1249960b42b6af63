// DELETE and DELETECOLLECTION with DeleteOptions (body or query): preconditions, dryRun,
// propagationPolicy (Orphan/Foreground become the orphan/foregroundDeletion finalizers the garbage
// collector acts on), finalizers and graceful deletion (deletionTimestamp; pods bound to a node wait
// for their kubelet unless gracePeriodSeconds=0), and namespaces going Terminating.
import { apiVersionOf, badRequest, conflict, StatusError, type KubeObject, type ResourceInfo } from '../api/index.js';
import { runAdmission } from './admission.js';
import { isDryRun, type ResourceContext } from './context.js';
import { parseStructured } from './decode.js';
import { sendJson, successStatus } from './http-util.js';
import { nowTimestamp } from './objects.js';
import { negotiateOrFail, readList, selectionOf, sendObject } from './rest-read.js';
import { admissionContext } from './rest-write.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
  orphanDependents?: boolean;
}

export function deleteOptionsOf(query: URLSearchParams, body: Buffer): DeleteOptions {
  const opts: DeleteOptions = {};
  if (body.length > 0) {
    const parsed = parseStructured(body.toString('utf8'), false);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(opts, parsed);
  }
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) {
    if (!/^-?\d+$/.test(grace)) throw badRequest(`gracePeriodSeconds: Invalid value: "${grace}"`);
    opts.gracePeriodSeconds = Number(grace);
  }
  const policy = query.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (query.getAll('dryRun').length) opts.dryRun = query.getAll('dryRun');
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.orphanDependents !== undefined && opts.propagationPolicy) throw badRequest('orphanDependents: Invalid value: "orphanDependents": Cannot both set OrphanDependents and PropagationPolicy');
  if (opts.orphanDependents !== undefined) opts.propagationPolicy = opts.orphanDependents ? 'Orphan' : 'Background';
  return opts;
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

function isPod(info: ResourceInfo): boolean {
  return info.group === '' && info.resource === 'pods';
}

function isNamespace(info: ResourceInfo): boolean {
  return info.group === '' && info.resource === 'namespaces';
}

/** kube's pod strategy: unscheduled or finished pods go at once; others wait for their kubelet. */
function gracePeriod(info: ResourceInfo, obj: KubeObject, opts: DeleteOptions): number {
  if (!isPod(info)) return 0;
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, grace);
}

/** The finalizers after applying a propagation policy: it picks orphan, foregroundDeletion or neither. */
function finalizersFor(list: string[] | undefined, policy: DeleteOptions['propagationPolicy']): string[] {
  if (!policy) return list ?? [];
  const want = policy === 'Orphan' ? ORPHAN : policy === 'Foreground' ? FOREGROUND : undefined;
  const out = (list ?? []).filter((f) => (f !== ORPHAN && f !== FOREGROUND) || f === want);
  if (want && !out.includes(want)) out.push(want);
  return out;
}

export interface DeleteResult {
  obj: KubeObject;
  /** false when the object still exists (finalizers pending, graceful, Terminating). */
  deleted: boolean;
}

/** Deletes one object by the rules above (also used by deletecollection and pods/eviction). */
export async function deleteOne(ctx: ResourceContext, namespace: string, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const info = ctx.info;
  const dryRun = isDryRun(ctx.query) || (opts.dryRun ?? []).includes('All');
  const attrs = { operation: 'DELETE' as const, info, subresource: '', namespace, name, user: ctx.user, dryRun };
  // A delete carries no object to change: both phases only get to refuse it.
  for (const phase of ['mutating', 'validating'] as const) await runAdmission(ctx.core.admission, phase, attrs, admissionContext(ctx));
  let deletedNow = false;
  const { obj, deleted } = await ctx.core.objects.update(
    info,
    namespace,
    name,
    async (current) => {
      const meta = current.metadata;
      const pre = opts.preconditions ?? {};
      if (pre.uid && pre.uid !== meta.uid) throw conflict(info.resource, info.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict(info.resource, info.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      delete meta.resourceVersion;
      if (isNamespace(info)) {
        const specFinalizers = ((current.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length;
        if (specFinalizers > 0 || (meta.finalizers ?? []).length > 0) {
          meta.deletionTimestamp ??= nowTimestamp();
          meta.deletionGracePeriodSeconds ??= 0;
          current.status = { ...((current.status as object | undefined) ?? {}), phase: 'Terminating' };
          return current;
        }
        deletedNow = true;
        return null;
      }
      const finalizers = finalizersFor(meta.finalizers, opts.propagationPolicy);
      const grace = gracePeriod(info, current, opts);
      if (meta.deletionTimestamp) {
        // Already being deleted: a shorter grace period may still be asked for (force delete).
        const pending = meta.deletionGracePeriodSeconds ?? 0;
        if (grace < pending) {
          meta.deletionGracePeriodSeconds = grace;
          meta.deletionTimestamp = nowTimestamp(grace);
        }
        if ((meta.finalizers ?? []).length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0) {
          deletedNow = true;
          return null;
        }
        return current;
      }
      if (finalizers.length === 0 && grace === 0) {
        deletedNow = true;
        return null;
      }
      if (finalizers.length) meta.finalizers = finalizers;
      else delete meta.finalizers;
      meta.deletionTimestamp = nowTimestamp(grace);
      meta.deletionGracePeriodSeconds = grace;
      return current;
    },
    dryRun,
  );
  return { obj, deleted: deleted || deletedNow };
}

/** Pods (and anything still present) answer with the object; other finished deletes with a Status. */
function sendDeleteResult(ctx: ResourceContext, result: DeleteResult): void {
  const out = negotiateOrFail(ctx, false);
  if (!result.deleted || isPod(ctx.info)) return sendObject(ctx, 200, result.obj, out);
  sendJson(ctx.res, 200, successStatus({ name: result.obj.metadata.name, group: ctx.info.group || undefined, kind: ctx.info.resource, uid: result.obj.metadata.uid }));
}

export async function deleteObject(ctx: ResourceContext, body: Buffer): Promise<void> {
  const opts = deleteOptionsOf(ctx.query, body);
  const result = await deleteOne(ctx, ctx.ri.namespace, ctx.ri.name, opts);
  sendDeleteResult(ctx, result);
}

export async function deleteCollection(ctx: ResourceContext, body: Buffer): Promise<void> {
  const opts = deleteOptionsOf(ctx.query, body);
  const page = await readList(ctx, selectionOf(ctx));
  const items: KubeObject[] = [];
  for (const o of page.items) {
    const ns = o.obj.metadata.namespace ?? '';
    const name = o.obj.metadata.name ?? '';
    try {
      items.push((await deleteOne(ctx, ns, name, opts)).obj);
    } catch (err) {
      // Gone meanwhile: deletecollection only reports what it deleted.
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
  }
  const info = ctx.info;
  sendJson(ctx.res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info.group, info.version), metadata: { resourceVersion: String(page.rv) }, items });
}
