// /images/…: list, inspect, history, tag, remove, and pull (POST /images/create) with docker's JSON
// progress stream. Pulls go through the registry client the `pull` verb uses, with the engine root's
// registry settings; busybox is built locally and needs no registry.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { checkFilterKeys, familiarName, importTarball, listedNames, listImages, normalize, parseReference, pruneImages, type Image } from '../engine/index.js';
import { engineRegistrySettings, loadArchive, pullToEngine, pushFromEngine, saveImages, type ProgressOutput } from '../registry/index.js';
import { response, type Ctx } from './context.js';
import { badRequest, boolParam, notFound, parseFilters, sendJson, unixSeconds } from './http.js';
import type { RouteTable } from './server.js';

function image(ctx: Ctx, ref: string): Image {
  const found = ctx.api.engine.images.lookup(ref);
  if (!found) throw notFound(`No such image: ${ref}`);
  return found;
}

async function list(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  await engine.images.ensureBusybox();
  const filters = parseFilters(ctx.query);
  const rows = listImages(engine, { all: boolParam(ctx.query, 'all'), filters });
  const counts = new Map<string, number>();
  for (const c of engine.containers.list()) counts.set(c.Image, (counts.get(c.Image) ?? 0) + 1);
  sendJson(
    response(ctx),
    200,
    rows.map((i) => ({
      Id: i.id,
      ParentId: i.parent,
      RepoTags: listedNames(i, filters),
      RepoDigests: i.tags.filter((t) => t.includes('@')).map(familiarName),
      Created: unixSeconds(i.created),
      Size: i.size,
      SharedSize: -1,
      VirtualSize: i.size,
      Labels: i.config.config?.Labels ?? {},
      Containers: counts.get(i.id) ?? -1,
    })),
  );
}

async function inspect(ctx: Ctx): Promise<void> {
  const { engine, helpers } = ctx.api;
  const found = engine.images.lookup(ctx.params.name) ?? (await engine.images.resolve(ctx.params.name).catch(() => undefined));
  if (!found) throw notFound(`No such image: ${ctx.params.name}`);
  sendJson(response(ctx), 200, helpers.imageJSON(engine, found));
}

async function history(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const img = image(ctx, ctx.params.name);
  let layer = img.chain.length - 1;
  const rows = [...(img.config.history ?? [])].reverse().map((h, i) => {
    let size = 0;
    if (!h.empty_layer && layer >= 0) size = engine.db.getLayer(img.chain[layer--])?.size ?? 0;
    return { Id: i === 0 ? img.id : '<missing>', Created: h.created ? unixSeconds(h.created) : 0, CreatedBy: h.created_by ?? '', Tags: i === 0 ? img.tags.filter((t) => !t.includes('@')).map(familiarName) : null, Size: size, Comment: h.comment ?? '' };
  });
  sendJson(response(ctx), 200, rows);
}

async function tag(ctx: Ctx): Promise<void> {
  const repo = ctx.query.get('repo');
  if (!repo) throw badRequest('repository name must have at least one component');
  const target = ctx.query.get('tag') ? `${repo}:${ctx.query.get('tag')}` : repo;
  try {
    parseReference(target);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  ctx.api.engine.images.tag(image(ctx, ctx.params.name).id, target);
  const res = response(ctx);
  res.writeHead(201);
  res.end();
}

async function remove(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const lines = engine.images.remove(ctx.params.name, boolParam(ctx.query, 'force'), (id) => engine.containers.usersOf(id));
  sendJson(
    response(ctx),
    200,
    lines.map(reportEntry),
  );
}

/** docker image prune: dangling images, or with dangling=false every image no container uses. */
async function prune(ctx: Ctx): Promise<void> {
  const filters = parseFilters(ctx.query);
  checkFilterKeys(filters, ['dangling', 'label', 'until']);
  const { lines, space } = pruneImages(ctx.api.engine, ['false', '0'].includes(filters.get('dangling')?.[0] ?? ''));
  sendJson(response(ctx), 200, { ImagesDeleted: lines.map(reportEntry), SpaceReclaimed: space });
}

/** One line of the engine's rmi report (`Untagged: x`, `Deleted: sha256:…`) as docker's JSON entry. */
function reportEntry(line: string): Record<string, string> {
  return line.startsWith('Untagged: ') ? { Untagged: line.slice('Untagged: '.length) } : { Deleted: line.slice('Deleted: '.length) };
}

/** docker's JSON progress messages, one per line, as `docker pull` renders them. */
function jsonProgress(write: (line: object) => void): ProgressOutput {
  return {
    status: (id, status) => write({ status, id }),
    progress: (id, status, current, total) => write({ status, id, progressDetail: { current, total } }),
    line: (status) => write({ status }),
  };
}

/** POST /images/create?fromImage=&tag=: a pull. Errors after the stream began are an `error` line. */
async function pull(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const from = ctx.query.get('fromImage');
  if (!from) {
    await importImage(ctx);
    return;
  }
  const tagArg = ctx.query.get('tag');
  const name = tagArg ? (tagArg.startsWith('sha256:') ? `${from}@${tagArg}` : `${from}:${tagArg}`) : from;
  let canonicalName: string;
  try {
    canonicalName = normalize(name);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const write = (line: object): void => void res.write(JSON.stringify(line) + '\r\n');
  const progress = jsonProgress(write);
  try {
    if (familiarName(canonicalName) === 'busybox:latest') {
      // The offline base image: built from the host's busybox, never pulled.
      const img = await engine.images.ensureBusybox();
      progress.line(`Digest: ${img.id}`);
      progress.line(`Status: Image is up to date for ${familiarName(canonicalName)}`);
    } else {
      const credentials = registryAuth(ctx.req.headers['x-registry-auth']);
      await pullToEngine(engine, name, { settings: engineRegistrySettings(engine.paths.root), progress, credentials: credentials ? () => credentials : undefined });
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    write({ errorDetail: { message }, error: message });
  }
  res.end();
}

/** POST /images/create?fromSrc=-: docker import, the body a (possibly gzipped) tar of a filesystem. */
async function importImage(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const q = ctx.query;
  if (q.get('fromSrc') !== '-') throw badRequest('importing from a URL is not supported; download the file and import it');
  const repo = q.get('repo') || undefined;
  const tagArg = q.get('tag');
  fs.mkdirSync(engine.paths.tmp, { recursive: true });
  const dir = fs.mkdtempSync(path.join(engine.paths.tmp, 'import-'));
  try {
    const file = path.join(dir, 'input.tar');
    await pipeline(ctx.req, fs.createWriteStream(file));
    const img = await importTarball(engine.images, file, { repo: repo && tagArg ? `${repo}:${tagArg}` : repo, message: q.get('message') || undefined, changes: q.getAll('changes') });
    sendJsonLines(response(ctx), [{ status: img.id }]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function sendJsonLines(res: ServerResponse, lines: object[]): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(lines.map((l) => JSON.stringify(l) + '\r\n').join(''));
}

/** GET /images/get?names=… and /images/{name}/get: docker save's archive. */
async function save(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const names = ctx.params.name ? [ctx.params.name] : ctx.query.getAll('names');
  if (!names.length) throw badRequest('no images given');
  for (const n of names) image(ctx, n);
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await saveImages(engine, names, res);
  res.end();
}

/** POST /images/load: docker load's archive in the body; the result as JSON stream lines. */
async function load(ctx: Ctx): Promise<void> {
  let lines: string[];
  try {
    lines = await loadArchive(ctx.api.engine, ctx.req);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  sendJsonLines(response(ctx), lines.map((l) => ({ stream: `${l}\n` })));
}

/** POST /images/{name}/push?tag=: docker push, progress as JSON lines; errors as an `error` line. */
async function push(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const tagArg = ctx.query.get('tag');
  const name = tagArg ? `${ctx.params.name}:${tagArg}` : ctx.params.name;
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const write = (line: object): void => void res.write(JSON.stringify(line) + '\r\n');
  try {
    const credentials = registryAuth(ctx.req.headers['x-registry-auth']);
    const digest = await pushFromEngine(engine, name, { settings: engineRegistrySettings(engine.paths.root), progress: jsonProgress(write), credentials: credentials ? () => credentials : undefined });
    write({ progressDetail: {}, aux: { Tag: tagArg || 'latest', Digest: digest } });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    write({ errorDetail: { message }, error: message });
  }
  res.end();
}

/** X-Registry-Auth: base64url JSON {username, password} (or {identitytoken}) the CLI sends from its login. */
function registryAuth(header: string | string[] | undefined): { username: string; password: string } | undefined {
  if (typeof header !== 'string' || !header) return undefined;
  try {
    const v = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { username?: string; password?: string };
    return v.username ? { username: v.username, password: v.password ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

export function imageRoutes(router: RouteTable): void {
  router
    .add('GET', '/images/json', { fn: list })
    .add('POST', '/images/create', { fn: pull })
    .add('POST', '/images/prune', { fn: prune })
    .add('POST', '/images/load', { fn: load })
    .add('GET', '/images/get', { fn: save })
    .add('GET', '/images/:name*/get', { fn: save })
    .add('POST', '/images/:name*/push', { fn: push })
    .add('GET', '/images/:name*/json', { fn: inspect })
    .add('GET', '/images/:name*/history', { fn: history })
    .add('POST', '/images/:name*/tag', { fn: tag })
    .add('DELETE', '/images/:name*', { fn: remove });
}
