// Dispatch of resource requests to the REST handlers by verb and subresource, with kube's 404/405
// answers for what a resource does not serve. Other parts plug in connect-style subresources
// (pods/log, pods/exec, …) through `connectors`.
import { badRequest, lookupResource, methodNotAllowed, StatusError } from '../api/index.js';
import type { RequestContext, ResourceContext } from './context.js';
import { readBody } from './http-util.js';
import { deleteCollection, deleteObject } from './rest-delete.js';
import { getObject, listObjects } from './rest-read.js';
import { watchObjects } from './rest-watch.js';
import { createObject, patchObject, updateObject } from './rest-write.js';
import { subresourceHandler } from './subresources.js';

export type Connector = (ctx: ResourceContext) => Promise<void>;

/** "pods/log" → handler; registered by the parts that serve them (the kubelet proxy, port-forward…). */
export type Connectors = Map<string, Connector>;

function notFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

const BODY_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export async function routeResource(rctx: RequestContext, connectors: Connectors): Promise<void> {
  const ri = rctx.ri;
  const info = lookupResource(ri.group, ri.version, ri.resource);
  if (!info) throw notFound();
  if (!info.namespaced && ri.namespace && ri.resource !== 'namespaces') throw notFound();
  const ctx: ResourceContext = { ...rctx, info };
  const connector = ri.subresource ? connectors.get(`${info.resource}/${ri.subresource}`) : undefined;
  if (connector && info.group === '') return connector(ctx);
  if (ctx.upgradeHead) throw badRequest('Upgrade requests are only served by streaming subresources (exec, attach, portforward)');
  if (info.namespaced && !ri.namespace && ri.verb !== 'list' && ri.verb !== 'watch') {
    // Named requests need a namespace; cluster-wide only lists and watches.
    if (ri.name) throw notFound();
    throw methodNotAllowed();
  }
  const body = BODY_VERBS.has(ri.verb) ? await readBody(ctx.req) : Buffer.alloc(0);
  if (ri.subresource) {
    if (ri.rest.length) throw notFound();
    if (ri.subresource === 'status' && info.subresources.status) {
      if (ri.verb === 'get') return getObject(ctx);
      if (ri.verb === 'update') return updateObject(ctx, body);
      if (ri.verb === 'patch') return patchObject(ctx, body);
      throw methodNotAllowed();
    }
    const handler = subresourceHandler(ctx);
    if (!handler) throw notFound();
    return handler(ctx, body);
  }
  if (!info.verbs.includes(ri.verb)) throw methodNotAllowed();
  switch (ri.verb) {
    case 'get':
      return getObject(ctx);
    case 'list':
      return listObjects(ctx);
    case 'watch':
      return watchObjects(ctx);
    case 'create':
      if (ri.name) throw methodNotAllowed();
      return createObject(ctx, body);
    case 'update':
      return updateObject(ctx, body);
    case 'patch':
      return patchObject(ctx, body);
    case 'delete':
      return deleteObject(ctx, body);
    case 'deletecollection':
      return deleteCollection(ctx, body);
    default:
      throw methodNotAllowed();
  }
}
