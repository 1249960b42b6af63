// CREATE, UPDATE (PUT) and PATCH of a resource or its status subresource: decode, admit, let the
// resource's strategy prepare and validate, then write (unless dryRun=All) — kube's generic
// registry flow, with its metadata rules (uid, creationTimestamp, generateName, finalizers).
import { badRequest, conflict, invalid, StatusError, type KubeObject, type ResourceInfo } from '../api/index.js';
import { runAdmission, type AdmissionAttributes, type AdmissionContext } from './admission.js';
import { isDryRun, type ResourceContext } from './context.js';
import { decodeObject, fieldValidationOf, toObject } from './decode.js';
import { applyDefaults, applyPatch, patchTypeOf, prepareForCreate, prepareForUpdate, unknownFields, validateCreate, validateUpdated } from './model.js';
import { generatedName, listPrefix, newUid, nowTimestamp, objectKey, outputObject } from './objects.js';
import { negotiateOrFail, sendObject } from './rest-read.js';
import { decodeKv } from './watch-cache.js';

function isService(info: ResourceInfo): boolean {
  return info.group === '' && info.resource === 'services';
}

/**
 * Service writes run one at a time, each after the cache has seen every acknowledged write (deletes
 * too), so the addresses the allocator sees as free are free; other writes run as they come.
 */
function serviceExclusive<T>(ctx: ResourceContext, fn: () => Promise<T>): Promise<T> {
  if (!isService(ctx.info)) return fn();
  return ctx.core.services.exclusive(async () => {
    await ctx.core.cache.sync();
    return fn();
  });
}

/** Metadata only the server sets. */
const SERVER_OWNED = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'] as const;

export function admissionContext(ctx: ResourceContext): AdmissionContext {
  const cache = ctx.core.cache;
  return {
    getNamespace: async (name) => {
      const cached = cache.cache('namespaces').objects.get(`/registry/namespaces/${name}`);
      if (cached) return cached.obj;
      // Not in the cache yet (created a moment ago): ask the store.
      const kv = await ctx.core.store.get(`/registry/namespaces/${name}`);
      return kv ? decodeKv(kv).obj : undefined;
    },
    get: (info, namespace, name) => {
      const o = cache.cache(info.storageResource).objects.get(objectKey(info, namespace, name));
      return o ? outputObject(info, o.obj) : undefined;
    },
    list: (info, namespace) => cache.cache(info.storageResource).list(listPrefix(info, namespace)).map((o) => outputObject(info, o.obj)),
  };
}

function admit(ctx: ResourceContext, phase: 'mutating' | 'validating', attrs: Omit<AdmissionAttributes, 'info' | 'user' | 'dryRun' | 'subresource'>): Promise<void> {
  return runAdmission(ctx.core.admission, phase, { ...attrs, info: ctx.info, subresource: ctx.ri.subresource, user: ctx.user, dryRun: isDryRun(ctx.query) }, admissionContext(ctx));
}

/** Sets the request's namespace on the object, refusing a different one in the body. */
function placeInNamespace(ctx: ResourceContext, obj: KubeObject): void {
  if (!ctx.info.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const ns = obj.metadata.namespace;
  if (ns && ns !== ctx.ri.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  obj.metadata.namespace = ctx.ri.namespace;
}

function failIfInvalid(info: ResourceInfo, obj: KubeObject, errors: ReturnType<typeof validateCreate>): void {
  if (errors.length) throw invalid(info.kind, info.group, obj.metadata.name ?? '', errors);
}

/** Creates `obj` (already decoded) — shared by POST and by server-side apply of a missing object. */
export async function createDecoded(ctx: ResourceContext, obj: KubeObject): Promise<KubeObject> {
  const info = ctx.info;
  placeInNamespace(ctx, obj);
  const meta = obj.metadata;
  for (const f of SERVER_OWNED) delete meta[f];
  delete meta.resourceVersion;
  delete meta.managedFields;
  meta.uid = newUid();
  meta.creationTimestamp = nowTimestamp();
  if (!meta.name && !meta.generateName) {
    throw invalid(info.kind, info.group, '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  }
  const generate = !meta.name;
  if (generate) meta.name = generatedName(String(meta.generateName));
  const attrs = { operation: 'CREATE' as const, namespace: ctx.ri.namespace, name: meta.name ?? '', object: obj };
  applyDefaults(info, obj);
  await admit(ctx, 'mutating', attrs);
  prepareForCreate(info, obj);
  failIfInvalid(info, obj, validateCreate(info, obj));
  if (isService(info)) ctx.core.services.allocate(obj);
  await admit(ctx, 'validating', attrs);
  if (isDryRun(ctx.query)) return obj;
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.core.objects.create(info, obj);
    } catch (err) {
      if (!generate || attempt >= 5 || !(err instanceof StatusError) || err.reason !== 'AlreadyExists') throw err;
      meta.name = generatedName(String(meta.generateName));
    }
  }
}

export async function createObject(ctx: ResourceContext, body: Buffer): Promise<void> {
  const out = negotiateOrFail(ctx, false);
  const obj = decodeObject(ctx, body);
  const created = await serviceExclusive(ctx, () => createDecoded(ctx, obj));
  sendObject(ctx, 201, outputObject(ctx.info, created), out);
}

/**
 * The common tail of PUT and PATCH: keep what the client may not change, apply the strategy, and
 * turn "deleting and no finalizers left" into the real delete. Returns null to delete.
 */
async function prepareUpdated(ctx: ResourceContext, next: KubeObject, current: KubeObject): Promise<KubeObject | null> {
  const info = ctx.info;
  const meta = next.metadata ?? (next.metadata = {});
  if (meta.uid && meta.uid !== current.metadata.uid) {
    throw conflict(info.resource, info.group, ctx.ri.name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  meta.name = current.metadata.name;
  if (info.namespaced) meta.namespace = current.metadata.namespace;
  else delete meta.namespace;
  delete meta.managedFields;
  if (current.metadata.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(current.metadata.finalizers ?? []).includes(f));
    if (added.length) throw invalid(info.kind, info.group, ctx.ri.name, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
  }
  // An update without resourceVersion is unconditional: the strategy applies it to the stored
  // version, and a race with another writer is retried rather than reported as a conflict.
  const unconditional = !meta.resourceVersion;
  const attrs = { operation: 'UPDATE' as const, namespace: ctx.ri.namespace, name: ctx.ri.name, object: next, oldObject: current };
  applyDefaults(info, next);
  await admit(ctx, 'mutating', attrs);
  prepareForUpdate(info, next, current, ctx.ri.subresource);
  failIfInvalid(info, next, validateUpdated(info, next, current, ctx.ri.subresource));
  if (isService(info) && ctx.ri.subresource === '') ctx.core.services.allocate(next, current);
  await admit(ctx, 'validating', attrs);
  if (unconditional) delete meta.resourceVersion;
  // A Terminating namespace also waits for its spec.finalizers (the namespace controller's "kubernetes").
  const specFinalizers = info.group === '' && info.resource === 'namespaces' ? ((next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
  if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && specFinalizers.length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0) return null;
  return next;
}

export async function updateObject(ctx: ResourceContext, body: Buffer): Promise<void> {
  const out = negotiateOrFail(ctx, false);
  const obj = decodeObject(ctx, body);
  if (obj.metadata.name && obj.metadata.name !== ctx.ri.name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${ctx.ri.name})`);
  }
  if (ctx.info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ctx.ri.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const { obj: written } = await serviceExclusive(ctx, () => ctx.core.objects.update(ctx.info, ctx.ri.namespace, ctx.ri.name, (current) => prepareUpdated(ctx, structuredClone(obj), current), isDryRun(ctx.query)));
  sendObject(ctx, 200, written, out);
}

/** Unknown fields of a patched object: kube reports them against the patch (422) or as warnings. */
function checkPatchedFields(ctx: ResourceContext, patched: KubeObject, raw: string): void {
  const mode = fieldValidationOf(ctx.query);
  if (mode === 'Ignore') return;
  const unknown = unknownFields(ctx.info, patched);
  if (unknown.length === 0) return;
  if (mode === 'Warn') {
    ctx.warnings.push(...unknown);
    return;
  }
  throw new StatusError(422, 'Invalid', `the request is invalid: patch: Invalid value: ${JSON.stringify(raw)}: strict decoding error: ${unknown.join(', ')}`, {
    causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(raw)}: strict decoding error: ${unknown.join(', ')}`, field: 'patch' }],
  });
}

export async function patchObject(ctx: ResourceContext, body: Buffer): Promise<void> {
  const out = negotiateOrFail(ctx, false);
  const type = patchTypeOf(ctx.req.headers['content-type'], ctx.info);
  const raw = body.toString('utf8');
  if (type === 'apply') {
    const exists = await ctx.core.store.get(objectKey(ctx.info, ctx.ri.namespace, ctx.ri.name));
    if (!exists) {
      const obj = toObject(ctx, applyPatch(ctx.info, type, undefined, raw));
      if (obj.metadata.name && obj.metadata.name !== ctx.ri.name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${ctx.ri.name})`);
      obj.metadata.name = ctx.ri.name;
      const created = await serviceExclusive(ctx, () => createDecoded(ctx, obj));
      sendObject(ctx, 201, outputObject(ctx.info, created), out);
      return;
    }
  }
  const { obj: written } = await serviceExclusive(ctx, () =>
    ctx.core.objects.update(
      ctx.info,
      ctx.ri.namespace,
      ctx.ri.name,
      async (current) => {
        const currentRv = current.metadata.resourceVersion;
        const patched = applyPatch(ctx.info, type, current, raw);
        checkPatchedFields(ctx, patched, raw);
        // A resourceVersion the patch did not change is not a precondition: races are retried.
        if (patched.metadata?.resourceVersion === currentRv) delete patched.metadata.resourceVersion;
        return prepareUpdated(ctx, patched, current);
      },
      isDryRun(ctx.query),
    ),
  );
  sendObject(ctx, 200, written, out);
}
