// /containers/…: create, start/stop/kill/restart/pause, wait, remove, list, inspect, logs, attach,
// resize, rename, top, stats, changes, export — docker's endpoints on the engine's container calls.
import { commitContainer, containerChanges, containerTop, exportContainer, formatTimeNano, isUp, listContainers, parseTimeArg, pruneContainers, readLogs, resizePty, rwSize, statusText, type Container, type Engine, type HostConfig } from '../engine/index.js';
import { archiveRoutes } from './archive.js';
import { response, type Ctx } from './context.js';
import { createPlan, restartPolicy, type ApiCreateBody } from './create.js';
import { ApiError, badRequest, boolParam, conflict, intParam, parseFilters, readJson, sendEmpty, sendJson, unixSeconds } from './http.js';
import type { RouteTable } from './server.js';
import { statsJSON } from './stats.js';
import { frame, streamResponse, streamType, type Hijacked } from './stream.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function portsList(c: Container): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [key, bindings] of Object.entries(c.NetworkSettings.Ports ?? {})) {
    const [port, type = 'tcp'] = key.split('/');
    if (!bindings?.length) out.push({ PrivatePort: Number(port), Type: type });
    for (const b of bindings ?? []) out.push({ IP: b.HostIp || '0.0.0.0', PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type });
  }
  return out;
}

/** One row of GET /containers/json (docker's ContainerSummary). */
function summary(ctx: Ctx, c: Container, size: boolean): Record<string, unknown> {
  const { engine, helpers } = ctx.api;
  const out: Record<string, unknown> = {
    Id: c.Id,
    Names: [c.Name],
    Image: c.ImageName,
    ImageID: c.Image,
    Command: [c.Path, ...c.Args].join(' '),
    Created: unixSeconds(c.Created),
    Ports: portsList(c),
    Labels: c.Config.Labels,
    State: c.State.Status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.HostConfig.NetworkMode },
    NetworkSettings: {
      Networks: Object.fromEntries(Object.entries(c.NetworkSettings.Networks).map(([n, v]) => [n, { NetworkID: v.NetworkID, Gateway: v.Gateway, IPAddress: v.IPAddress, IPPrefixLen: v.IPPrefixLen, MacAddress: v.MacAddress }])),
    },
    Mounts: c.Mounts.map((m) => ({ Type: m.Type, ...(m.Name ? { Name: m.Name } : {}), Source: m.Source, Destination: m.Destination, Mode: m.RW ? '' : 'ro', RW: m.RW, Propagation: m.Propagation ?? '' })),
  };
  if (size) {
    const rw = rwSize(engine, c);
    out.SizeRw = rw;
    out.SizeRootFs = rw + (engine.images.get(c.Image)?.size ?? 0);
  }
  return out;
}

async function list(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const q = ctx.query;
  const rows = listContainers(engine, { all: boolParam(q, 'all'), limit: intParam(q, 'limit'), filters: parseFilters(q) });
  const size = boolParam(q, 'size');
  sendJson(response(ctx), 200, rows.map((c) => summary(ctx, c, size)));
}

async function create(ctx: Ctx): Promise<void> {
  const { engine, helpers } = ctx.api;
  const plan = createPlan(await readJson<ApiCreateBody>(ctx.req), ctx.query.get('name') ?? undefined);
  // docker answers 404 for a missing image; the CLI then pulls it and creates again.
  const image = engine.images.lookup(plan.opts.image) ?? (await engine.images.resolve(plan.opts.image).catch(() => undefined));
  if (!image) throw new ApiError(404, `No such image: ${plan.opts.image}`);
  if (plan.publishAll) await helpers.publishExposed(engine, plan.opts, plan.exposed);
  const copyUp = await helpers.prepareVolumes(engine, plan.opts, plan.volumesFrom);
  const c = await engine.containers.create(plan.opts);
  await copyUp(c);
  sendJson(response(ctx), 201, { Id: c.Id, Warnings: [] });
}

async function start(ctx: Ctx): Promise<void> {
  const { engine, attaches, unclaimedRuns, helpers } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  if (c.State.Running) {
    sendEmpty(response(ctx), 304);
    return;
  }
  if (c.State.Paused) throw conflict(`cannot start a paused container, try unpause instead`);
  const waiting = attaches.take(c.Id);
  try {
    const started = await engine.containers.start(c.Id, waiting.length ? async () => void (await Promise.all(waiting.map((w) => w(true)))) : undefined);
    unclaimedRuns.set(c.Id, started.State.StartedAt);
  } catch (err) {
    await Promise.all(waiting.map((w) => w(false)));
    // `docker run --rm` waits for the removal even when the start failed.
    if (c.HostConfig.AutoRemove) await engine.containers.remove(c.Id, { force: true }).catch(() => undefined);
    else await helpers.cleanupWithVolumes(engine, c.Id).catch(() => undefined);
    throw err;
  }
  sendEmpty(response(ctx));
}

async function stop(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  if (!c.State.Running) {
    sendEmpty(response(ctx), 304);
    return;
  }
  await engine.containers.stop(c.Id, intParam(ctx.query, 't'), ctx.query.get('signal') || undefined);
  sendEmpty(response(ctx));
}

async function restart(ctx: Ctx): Promise<void> {
  await ctx.api.engine.containers.restart(ctx.params.id, intParam(ctx.query, 't'));
  sendEmpty(response(ctx));
}

async function kill(ctx: Ctx): Promise<void> {
  await ctx.api.engine.containers.kill(ctx.params.id, ctx.query.get('signal') || 'KILL');
  sendEmpty(response(ctx));
}

async function remove(ctx: Ctx): Promise<void> {
  const { engine, helpers } = ctx.api;
  const c = await engine.containers.remove(ctx.params.id, { force: boolParam(ctx.query, 'force') });
  ctx.api.unclaimedRuns.delete(c.Id);
  if (boolParam(ctx.query, 'v')) await helpers.removeAnonymousVolumes(engine, c);
  sendEmpty(response(ctx));
}

/**
 * POST /containers/{id}/wait. Headers go out at once (clients wait on them before starting the
 * container); the body follows when the condition is met: `not-running` (default), `next-exit` (the
 * exit of the next run, or of the run the client started just before its wait arrived) or `removed`.
 */
async function wait(ctx: Ctx): Promise<void> {
  const { engine, unclaimedRuns, helpers } = ctx.api;
  const condition = ctx.query.get('condition') || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw badRequest(`invalid condition: "${condition}"`);
  const first = engine.containers.get(ctx.params.id);
  const id = first.Id;
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  let gone = false;
  res.once('close', () => (gone = true));
  const finish = (code: number): void => {
    res.end(JSON.stringify({ StatusCode: code, Error: null }) + '\n');
  };
  let sawRun = isUp(first);
  const startedBefore = first.State.StartedAt;
  for (let polls = 0; !gone; polls++) {
    const c = engine.containers.find(id);
    if (!c) {
      unclaimedRuns.delete(id);
      const died = engine.db.lastEvent(id, 'die');
      finish(died ? Number(died.attributes.exitCode) : 0);
      return;
    }
    if (isUp(c)) sawRun = true;
    else if (condition === 'removed') {
      // conmon's exit command would remove it too, but only after a Node start of its own.
      if (c.HostConfig.AutoRemove && c.State.StartedAt !== ZERO_TIME) await helpers.cleanupWithVolumes(engine, id).catch(() => undefined);
    } else if (condition === 'not-running') {
      finish(c.State.ExitCode);
      return;
    } else if (condition === 'next-exit') {
      const ranSince = c.State.StartedAt !== startedBefore && c.State.StartedAt !== ZERO_TIME;
      const startedJustBefore = unclaimedRuns.get(id) === c.State.StartedAt;
      if (sawRun || ranSince || startedJustBefore) {
        unclaimedRuns.delete(id);
        finish(c.State.ExitCode);
        return;
      }
    }
    await new Promise((r) => setTimeout(r, polls < 40 ? 10 : 100));
  }
}

async function inspect(ctx: Ctx): Promise<void> {
  const { engine, helpers } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  sendJson(response(ctx), 200, helpers.containerJSON(engine, c, boolParam(ctx.query, 'size')));
}

async function logs(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const q = ctx.query;
  const c = engine.containers.get(ctx.params.id);
  const stdout = boolParam(q, 'stdout');
  const stderr = boolParam(q, 'stderr');
  if (!stdout && !stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  if (c.HostConfig.LogConfig.Type === 'none' || !c.LogPath) throw badRequest('configured logging driver does not support reading');
  const tailArg = q.get('tail');
  const tail = tailArg && /^\d+$/.test(tailArg) ? Number(tailArg) : undefined;
  const since = q.get('since');
  const until = q.get('until');
  const stamps = boolParam(q, 'timestamps');
  const tty = c.Config.Tty;
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': streamType(ctx.version, tty) });
  res.flushHeaders();
  const ac = new AbortController();
  res.once('close', () => ac.abort());
  await readLogs(
    c.LogPath,
    {
      tail,
      sinceNano: since && since !== '0' ? parseTimeArg(since) : undefined,
      untilNano: until && until !== '0' ? parseTimeArg(until) : undefined,
      follow: boolParam(q, 'follow'),
      isRunning: () => {
        const cur = engine.containers.find(c.Id);
        return !!cur && isUp(cur);
      },
      signal: ac.signal,
    },
    (m) => {
      const isErr = m.stream === 'stderr';
      if (isErr ? !stderr : !stdout) return;
      const data = stamps ? Buffer.concat([Buffer.from(`${formatTimeNano(m.timeNano)} `), m.data]) : m.data;
      res.write(tty ? data : frame(isErr ? 2 : 1, data));
    },
  );
  res.end();
}

async function attach(ctx: Ctx): Promise<void> {
  const { engine, attaches } = ctx.api;
  const q = ctx.query;
  const c = engine.containers.get(ctx.params.id);
  if (c.State.Paused) throw conflict(`You cannot attach to a paused container, unpause it first`);
  const type = streamType(ctx.version, c.Config.Tty);
  let h: Hijacked;
  if (ctx.upgraded) {
    await ctx.upgraded.body();
    h = ctx.upgraded.upgrade(type);
  } else {
    h = streamResponse(ctx.req, response(ctx), type);
  }
  if (!boolParam(q, 'stream')) {
    h.end();
    return;
  }
  await attaches.attach(engine, c, h, { stdin: boolParam(q, 'stdin'), stdout: boolParam(q, 'stdout'), stderr: boolParam(q, 'stderr') });
}

async function resize(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  if (!c.State.Running) throw conflict(`Container ${c.Id} is not running`);
  const h = intParam(ctx.query, 'h') ?? 0;
  const w = intParam(ctx.query, 'w') ?? 0;
  if (c.Config.Tty) resizePty(engine.containers.dir(c.Id), h, w);
  sendEmpty(response(ctx), 200);
}

async function rename(ctx: Ctx): Promise<void> {
  const name = ctx.query.get('name');
  if (!name) throw badRequest('Neither old nor new names may be empty');
  ctx.api.engine.containers.rename(ctx.params.id, name);
  sendEmpty(response(ctx));
}

/** GET /containers/{id}/top: the host's `ps` (default -ef) cut to the container's processes. */
async function top(ctx: Ctx): Promise<void> {
  const { titles, processes } = await containerTop(ctx.api.engine, ctx.params.id, (ctx.query.get('ps_args') ?? '').split(/\s+/).filter(Boolean));
  sendJson(response(ctx), 200, { Titles: titles, Processes: processes });
}

async function stats(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  const stream = boolParam(ctx.query, 'stream', true);
  const oneShot = boolParam(ctx.query, 'one-shot');
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let gone = false;
  res.once('close', () => (gone = true));
  let prev = stream || !oneShot ? statsJSON(engine, c) : undefined;
  do {
    if (prev) await new Promise((r) => setTimeout(r, 1000));
    const cur = statsJSON(engine, engine.containers.find(c.Id) ?? c, prev);
    res.write(JSON.stringify(cur) + '\n');
    prev = cur;
  } while (stream && !gone && engine.containers.find(c.Id)?.State.Running);
  res.end();
}

async function changes(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  const kinds: Record<string, number> = { C: 0, A: 1, D: 2 };
  sendJson(response(ctx), 200, containerChanges(engine.containers, engine.snapshots, c).map((ch) => ({ Path: ch.path, Kind: kinds[ch.kind] })));
}

async function exportTar(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await exportContainer(engine.containers, c.Id, res);
  res.end();
}

async function pause(ctx: Ctx): Promise<void> {
  await ctx.api.engine.containers.pause(ctx.params.id);
  sendEmpty(response(ctx));
}

async function unpause(ctx: Ctx): Promise<void> {
  await ctx.api.engine.containers.unpause(ctx.params.id);
  sendEmpty(response(ctx));
}

/** POST /containers/{id}/update: resources (applied live) and the restart policy (docker update). */
async function update(ctx: Ctx): Promise<void> {
  const body = await readJson<Partial<Pick<HostConfig, 'Memory' | 'MemorySwap' | 'NanoCpus' | 'CpuShares' | 'PidsLimit'>> & { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null }>(ctx.req);
  const u: Parameters<Engine['containers']['updateResources']>[1] = {};
  for (const k of ['Memory', 'MemorySwap', 'NanoCpus', 'CpuShares', 'PidsLimit'] as const) if (body[k]) u[k] = body[k];
  if (body.RestartPolicy?.Name) u.RestartPolicy = restartPolicy(body.RestartPolicy);
  await ctx.api.engine.containers.updateResources(ctx.params.id, u);
  sendJson(response(ctx), 200, { Warnings: [] });
}

/** POST /commit?container=&repo=&tag=: docker commit (changes as Dockerfile instructions). */
async function commit(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  const repo = q.get('repo') || undefined;
  const tagArg = q.get('tag');
  const image = await commitContainer(ctx.api.engine, q.get('container') ?? '', {
    repo: repo && tagArg ? `${repo}:${tagArg}` : repo,
    author: q.get('author') || undefined,
    message: q.get('comment') || undefined,
    changes: q.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean),
    pause: boolParam(q, 'pause', true),
  });
  sendJson(response(ctx), 201, { Id: image.id });
}

/** docker container prune: every stopped container (label filters honoured), with the space freed. */
async function prune(ctx: Ctx): Promise<void> {
  const { deleted, space } = await pruneContainers(ctx.api.engine, parseFilters(ctx.query));
  sendJson(response(ctx), 200, { ContainersDeleted: deleted, SpaceReclaimed: space });
}

export function containerRoutes(router: RouteTable): void {
  router
    .add('GET', '/containers/json', { fn: list })
    .add('POST', '/containers/create', { fn: create })
    .add('POST', '/containers/prune', { fn: prune })
    .add('GET', '/containers/:id/json', { fn: inspect })
    .add('POST', '/containers/:id/start', { fn: start })
    .add('POST', '/containers/:id/stop', { fn: stop })
    .add('POST', '/containers/:id/restart', { fn: restart })
    .add('POST', '/containers/:id/kill', { fn: kill })
    .add('POST', '/containers/:id/pause', { fn: pause })
    .add('POST', '/containers/:id/unpause', { fn: unpause })
    .add('POST', '/containers/:id/wait', { fn: wait })
    .add('POST', '/containers/:id/rename', { fn: rename })
    .add('POST', '/containers/:id/resize', { fn: resize })
    .add('POST', '/containers/:id/attach', { fn: attach, hijack: true })
    .add('GET', '/containers/:id/logs', { fn: logs })
    .add('GET', '/containers/:id/top', { fn: top })
    .add('GET', '/containers/:id/stats', { fn: stats })
    .add('GET', '/containers/:id/changes', { fn: changes })
    .add('GET', '/containers/:id/export', { fn: exportTar })
    .add('POST', '/containers/:id/update', { fn: update })
    .add('POST', '/commit', { fn: commit })
    .add('DELETE', '/containers/:id', { fn: remove });
  archiveRoutes(router);
}
