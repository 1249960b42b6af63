// /volumes/…: docker volume create/ls/inspect/rm/prune on the engine root's local volumes.
import { volumeFilter } from '../engine/index.js';
import { pruneVolumes, usersByVolume } from '../engine/volumes/index.js';
import { response, type Ctx } from './context.js';
import { boolParam, notFound, parseFilters, readJson, sendEmpty, sendJson } from './http.js';
import type { RouteTable } from './server.js';

async function list(ctx: Ctx): Promise<void> {
  const { volumes, engine } = ctx.api;
  const rows = volumes.list().filter(volumeFilter(parseFilters(ctx.query), usersByVolume(engine.containers.list())));
  sendJson(response(ctx), 200, { Volumes: rows, Warnings: [] });
}

async function create(ctx: Ctx): Promise<void> {
  const body = await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string> | null }>(ctx.req);
  const driver = body.Driver || 'local';
  if (driver !== 'local') throw notFound(`create ${body.Name ?? ''}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  sendJson(response(ctx), 201, ctx.api.volumes.create(body.Name || undefined, body.Labels ?? {}));
}

async function inspect(ctx: Ctx): Promise<void> {
  sendJson(response(ctx), 200, ctx.api.volumes.get(ctx.params.name));
}

async function remove(ctx: Ctx): Promise<void> {
  const { volumes, engine } = ctx.api;
  const name = ctx.params.name;
  if (!volumes.find(name) && boolParam(ctx.query, 'force')) {
    sendEmpty(response(ctx));
    return;
  }
  volumes.remove(name, usersByVolume(engine.containers.list()).get(name) ?? []);
  sendEmpty(response(ctx));
}

/** docker volume prune: unused anonymous volumes, or every unused one with all=true (docker 23+). */
async function prune(ctx: Ctx): Promise<void> {
  const { volumes, engine } = ctx.api;
  const filters = parseFilters(ctx.query);
  const all = ['true', '1'].includes(filters.get('all')?.[0] ?? '');
  const deleted = pruneVolumes(volumes, engine.containers.list(), all);
  sendJson(response(ctx), 200, { VolumesDeleted: deleted, SpaceReclaimed: 0 });
}

export function volumeRoutes(router: RouteTable): void {
  router
    .add('GET', '/volumes', { fn: list })
    .add('POST', '/volumes/create', { fn: create })
    .add('POST', '/volumes/prune', { fn: prune })
    .add('GET', '/volumes/:name', { fn: inspect })
    .add('DELETE', '/volumes/:name', { fn: remove });
}
