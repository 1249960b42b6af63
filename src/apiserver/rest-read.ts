// GET of one object and LIST, in every representation kubectl asks for: the object (JSON/YAML), a
// Table (server-side printing), or PartialObjectMetadata. Lists come from the watch cache; paginated
// lists (limit without a resourceVersion, or a continue token) read the store at one revision.
import { apiVersionOf, badRequest, gone, storageInfo, StatusError, type KubeObject, type ListMeta, type ResourceInfo } from '../api/index.js';
import { CompactedError } from '../storage/index.js';
import type { ResourceContext } from './context.js';
import { sendJson, sendText } from './http-util.js';
import { negotiateObject, PROTOBUF_TYPE, type OutputKind } from './media.js';
import { encodeProtobuf, fieldSelector, labelSelector, tableOf, type IncludeObject, type Matcher } from './model.js';
import { listPrefix, objectKey, outputObject } from './objects.js';
import { decodeKv, jsonOf, type CachedObject } from './watch-cache.js';

/** The representation to answer in; `streams` (lists, watches) are never protobuf. */
export function negotiateOrFail(ctx: ResourceContext, allowTransform: boolean, streams = false): OutputKind {
  const out = negotiateObject(ctx.accept, allowTransform);
  if (!out || (streams && out.kind === 'object' && out.encoding === 'protobuf')) {
    throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml${streams ? '' : ', application/vnd.kubernetes.protobuf'}`);
  }
  return out;
}

export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject') ?? 'Metadata';
  if (v !== 'Metadata' && v !== 'Object' && v !== 'None') throw badRequest(`unrecognized includeObject value: "${v}"`);
  return v;
}

function partial(version: string, obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** Writes one object (GET, and the answer of every write) in the negotiated representation. */
export function sendObject(ctx: ResourceContext, code: number, obj: KubeObject, out: OutputKind): void {
  if (out.kind === 'table') return sendJson(ctx.res, code, tableOf(ctx.info, [obj], includeObjectOf(ctx.query), out.version, { resourceVersion: obj.metadata.resourceVersion }));
  if (out.kind === 'partial') return sendJson(ctx.res, code, partial(out.version, obj));
  if (out.kind !== 'object') return sendJson(ctx.res, code, obj);
  if (out.encoding === 'protobuf') return sendText(ctx.res, code, PROTOBUF_TYPE, encodeProtobuf(obj));
  sendJson(ctx.res, code, obj, out.encoding);
}

export async function getObject(ctx: ResourceContext): Promise<void> {
  const out = negotiateOrFail(ctx, true);
  const obj = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, ctx.ri.name);
  sendObject(ctx, 200, obj, out);
}

export interface ListSelection {
  prefix: string;
  matches: Matcher;
}

export function selectionOf(ctx: ResourceContext): ListSelection {
  const labels = labelSelector(ctx.query.get('labelSelector'));
  const fields = fieldSelector(ctx.info, ctx.query.get('fieldSelector'));
  let prefix = listPrefix(ctx.info, ctx.ri.namespace);
  // metadata.name=x narrows the scan to that key (and its longer namesakes, which the matcher drops).
  if (fields.name !== undefined && (ctx.ri.namespace || !ctx.info.namespaced)) prefix = objectKey(ctx.info, ctx.ri.namespace, fields.name);
  // The legacy /watch/…/pods/<name> form watches one object.
  const name = ctx.ri.name;
  if (name) prefix = objectKey(ctx.info, ctx.ri.namespace, name);
  return { prefix, matches: (o) => (!name || o.metadata.name === name) && labels(o) && fields.matches(o) };
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad token');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

interface ListPage {
  items: CachedObject[];
  rv: number;
  continueToken?: string;
  remaining?: number;
}

/** A page read from the store at one revision (kube's etcd path for limit/continue and Exact reads). */
async function listFromStore(ctx: ResourceContext, sel: ListSelection, limit: number, revision: number, startAfter: string | undefined, filtered: boolean): Promise<ListPage> {
  const items: CachedObject[] = [];
  let rv = revision;
  let cursor = startAfter;
  let remaining = 0;
  try {
    for (;;) {
      const want = limit > 0 ? limit - items.length : 0;
      const page = await ctx.core.store.list(sel.prefix, { revision: rv || undefined, limit: want > 0 ? Math.max(want, filtered ? 100 : want) : undefined, startAfter: cursor });
      rv = page.revision;
      let i = 0;
      for (; i < page.items.length; i++) {
        if (limit > 0 && items.length >= limit) break;
        const o = decodeKv(page.items[i]);
        cursor = page.items[i].key;
        if (sel.matches(o.obj)) items.push(o);
      }
      remaining = page.remaining + (page.items.length - i);
      if (remaining === 0 || (limit > 0 && items.length >= limit) || page.items.length === 0) break;
    }
  } catch (err) {
    if (err instanceof CompactedError) throw gone(startAfter !== undefined ? CONTINUE_EXPIRED : `too old resource version: ${revision} (${err.compacted})`);
    throw err;
  }
  const page: ListPage = { items, rv };
  if (remaining > 0 && cursor !== undefined) {
    page.continueToken = encodeContinue({ rv, start: cursor });
    if (!filtered) page.remaining = remaining;
  }
  return page;
}

function parseRv(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version: ${text}`);
  return Number(text);
}

/** Reads what a LIST asks for, following kube's resourceVersion/resourceVersionMatch rules. */
export async function readList(ctx: ResourceContext, sel: ListSelection): Promise<ListPage> {
  const q = ctx.query;
  const limit = Number(q.get('limit') ?? 0) || 0;
  const rvText = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  const filtered = q.has('labelSelector') || q.has('fieldSelector');
  const cont = q.get('continue');
  if (match && match !== 'NotOlderThan' && match !== 'Exact') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  if (match && !rvText) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (cont) {
    if (rvText) throw badRequest('specifying resource version is not allowed when using continue');
    const t = decodeContinue(cont);
    return listFromStore(ctx, sel, limit, t.rv, t.start, filtered);
  }
  if (match === 'Exact') return listFromStore(ctx, sel, limit, parseRv(rvText), undefined, filtered);
  if (!rvText && limit > 0) return listFromStore(ctx, sel, limit, 0, undefined, filtered);
  const cache = ctx.core.cache;
  if (!rvText) {
    if (!(await cache.sync())) throw new StatusError(504, 'Timeout', 'Timeout: Too large resource version: the watch cache is behind the store');
  } else {
    const rv = parseRv(rvText);
    if (rv > 0 && !(await cache.waitFor(rv, 3000))) {
      throw new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${cache.revision}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
    }
  }
  const rv = cache.revision;
  const items = cache.cache(ctx.info.storageResource).list(sel.prefix).filter((o) => sel.matches(o.obj));
  return { items, rv };
}

function listKind(info: ResourceInfo): string {
  return `${info.kind}List`;
}

export async function listObjects(ctx: ResourceContext): Promise<void> {
  const out = negotiateOrFail(ctx, true, true);
  const sel = selectionOf(ctx);
  const page = await readList(ctx, sel);
  const metadata: ListMeta = { resourceVersion: String(page.rv) };
  if (page.continueToken) metadata.continue = page.continueToken;
  if (page.remaining !== undefined) metadata.remainingItemCount = page.remaining;
  const info = ctx.info;
  if (out.kind === 'table') {
    return sendJson(ctx.res, 200, tableOf(info, page.items.map((o) => outputObject(info, o.obj)), includeObjectOf(ctx.query), out.version, metadata));
  }
  if (out.kind === 'partial') {
    return sendJson(ctx.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${out.version}`, metadata, items: page.items.map((o) => partial(out.version, o.obj)) });
  }
  const head = { kind: listKind(info), apiVersion: apiVersionOf(info.group, info.version), metadata };
  if (out.kind === 'object' && out.encoding === 'yaml') return sendJson(ctx.res, 200, { ...head, items: page.items.map((o) => outputObject(info, o.obj)) }, 'yaml');
  // The common case is assembled from each object's cached JSON, so a large list costs one string join.
  const same = storageInfo(info) === info;
  const items = page.items.map((o) => (same ? jsonOf(o) : JSON.stringify(outputObject(info, o.obj))));
  sendText(ctx.res, 200, 'application/json', `${JSON.stringify(head).slice(0, -1)},"items":[${items.join(',')}]}`);
}
