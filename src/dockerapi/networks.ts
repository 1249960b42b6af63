// /networks/…: docker network create/ls/inspect/rm/connect/disconnect/prune on the engine's CNI bridge
// networks (the same records `skiff network` manages).
import { connectContainer, disconnectContainer, networkFilter } from '../engine/index.js';
import { response, type Ctx } from './context.js';
import { badRequest, parseFilters, readJson, sendEmpty, sendJson } from './http.js';
import type { RouteTable } from './server.js';

async function list(ctx: Ctx): Promise<void> {
  const { networks, helpers } = ctx.api;
  const rows = networks.list().filter(networkFilter(parseFilters(ctx.query)));
  sendJson(response(ctx), 200, rows.map((n) => helpers.networkJSON(networks, n)));
}

async function inspect(ctx: Ctx): Promise<void> {
  const { networks, helpers } = ctx.api;
  sendJson(response(ctx), 200, helpers.networkJSON(networks, networks.get(ctx.params.id)));
}

interface CreateBody {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null } | null;
}

async function create(ctx: Ctx): Promise<void> {
  const body = await readJson<CreateBody>(ctx.req);
  if (!body.Name) throw badRequest('network name is required');
  const ipam = body.IPAM?.Config?.[0];
  const n = ctx.api.networks.create({ name: body.Name, driver: body.Driver || undefined, subnet: ipam?.Subnet || undefined, gateway: ipam?.Gateway || undefined, internal: body.Internal ?? false, labels: body.Labels ?? {} });
  sendJson(response(ctx), 201, { Id: n.Id, Warning: '' });
}

async function remove(ctx: Ctx): Promise<void> {
  await ctx.api.networks.remove(ctx.params.id);
  sendEmpty(response(ctx));
}

async function connect(ctx: Ctx): Promise<void> {
  const { networks, engine } = ctx.api;
  const body = await readJson<{ Container?: string; EndpointConfig?: { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string } | null } | null }>(ctx.req);
  await connectContainer(engine, networks, ctx.params.id, body.Container ?? '', {
    aliases: body.EndpointConfig?.Aliases ?? [],
    ip: body.EndpointConfig?.IPAMConfig?.IPv4Address || undefined,
  });
  sendEmpty(response(ctx), 200);
}

async function disconnect(ctx: Ctx): Promise<void> {
  const { networks, engine } = ctx.api;
  const body = await readJson<{ Container?: string }>(ctx.req);
  await disconnectContainer(engine, networks, ctx.params.id, body.Container ?? '');
  sendEmpty(response(ctx), 200);
}

async function prune(ctx: Ctx): Promise<void> {
  sendJson(response(ctx), 200, { NetworksDeleted: await ctx.api.networks.prune() });
}

export function networkRoutes(router: RouteTable): void {
  router
    .add('GET', '/networks', { fn: list })
    .add('POST', '/networks/create', { fn: create })
    .add('POST', '/networks/prune', { fn: prune })
    .add('GET', '/networks/:id', { fn: inspect })
    .add('POST', '/networks/:id/connect', { fn: connect })
    .add('POST', '/networks/:id/disconnect', { fn: disconnect })
    .add('DELETE', '/networks/:id', { fn: remove });
}
