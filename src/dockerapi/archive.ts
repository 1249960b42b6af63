// /containers/{id}/archive — what `docker cp` uses: HEAD stats a path (X-Docker-Container-Path-Stat,
// base64 JSON with a Go os.FileMode), GET streams it as a tar, PUT extracts a tar into a directory.
// Paths resolve inside the container's root filesystem (symlinks cannot leave it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { scopedPath, type Container } from '../engine/index.js';
import { response, type Ctx } from './context.js';
import { ApiError, badRequest, boolParam, notFound, sendEmpty } from './http.js';
import type { RouteTable } from './server.js';

/** Go's os.FileMode type bits, which the docker CLI reads from the stat header. */
const GO_MODE = { dir: 2 ** 31, symlink: 2 ** 27, device: 2 ** 26, pipe: 2 ** 25, socket: 2 ** 24, setuid: 2 ** 23, setgid: 2 ** 22, charDevice: 2 ** 21, sticky: 2 ** 20 };

export function goFileMode(st: fs.Stats): number {
  let mode = st.mode & 0o777;
  if (st.isDirectory()) mode += GO_MODE.dir;
  if (st.isSymbolicLink()) mode += GO_MODE.symlink;
  if (st.isBlockDevice()) mode += GO_MODE.device;
  if (st.isCharacterDevice()) mode += GO_MODE.device + GO_MODE.charDevice;
  if (st.isFIFO()) mode += GO_MODE.pipe;
  if (st.isSocket()) mode += GO_MODE.socket;
  if (st.mode & 0o4000) mode += GO_MODE.setuid;
  if (st.mode & 0o2000) mode += GO_MODE.setgid;
  if (st.mode & 0o1000) mode += GO_MODE.sticky;
  return mode;
}

function pathParam(ctx: Ctx): string {
  const p = ctx.query.get('path');
  if (!p) throw badRequest('Bad parameter: path cannot be empty');
  return p;
}

/**
 * Where a container path lives on the host: in a bind or volume mounted there (the rootfs only holds an
 * empty mountpoint), in the engine's generated /etc/hosts, /etc/hostname, /etc/resolv.conf, else in the
 * root filesystem. `writable` is false inside a read-only mount.
 */
function hostPath(c: Container, containerDir: string, rootfs: string, inner: string): { target: string; writable: boolean } {
  const p = path.posix.normalize(`/${inner}`).replace(/(.)\/$/, '$1');
  const etc: Record<string, string> = { '/etc/hosts': 'hosts', '/etc/hostname': 'hostname', '/etc/resolv.conf': 'resolv.conf' };
  if (etc[p] && !c.Extras.etcFilesFrom) return { target: path.join(containerDir, etc[p]), writable: true };
  const mounts = c.Mounts.filter((m) => m.Source && m.Type !== 'tmpfs').sort((a, b) => b.Destination.length - a.Destination.length);
  for (const m of mounts) {
    const dst = path.posix.normalize(m.Destination);
    if (p === dst || p.startsWith(`${dst}/`)) return { target: scopedPath(m.Source, p.slice(dst.length) || '/', true), writable: m.RW };
  }
  return { target: scopedPath(rootfs, inner, true), writable: true };
}

/** Runs fn on the host path of `inner` (the root filesystem is mounted for the call if the container is stopped). */
async function inContainer<T>(ctx: Ctx, inner: string, fn: (target: string, writable: boolean) => Promise<T>): Promise<T> {
  const { engine } = ctx.api;
  const c = engine.containers.get(ctx.params.id);
  return engine.containers.withRootfs(c, (rootfs) => {
    const { target, writable } = hostPath(c, engine.containers.dir(c.Id), rootfs, inner);
    // `path/.` keeps its meaning (the directory's contents) after resolution.
    return fn(/\/\.$/.test(inner) ? `${target}/.` : target, writable);
  });
}

function statHeader(target: string, inner: string, id: string): string {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(target);
  } catch {
    throw notFound(`Could not find the file ${inner} in container ${id}`);
  }
  const stat = { name: path.basename(inner) || '/', size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget: st.isSymbolicLink() ? fs.readlinkSync(target) : '' };
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

function tar(args: string[], input: NodeJS.ReadableStream | undefined, output: NodeJS.WritableStream | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: [input ? 'pipe' : 'ignore', output ? 'pipe' : 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    if (input) input.pipe(child.stdin!);
    if (output) child.stdout!.pipe(output, { end: false });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new ApiError(500, err.trim() || `tar exited ${code}`))));
  });
}

async function stat(ctx: Ctx): Promise<void> {
  const inner = pathParam(ctx);
  const id = ctx.params.id;
  const header = await inContainer(ctx, inner, async (target) => statHeader(target, inner, id));
  const res = response(ctx);
  res.writeHead(200, { 'X-Docker-Container-Path-Stat': header });
  res.end();
}

async function get(ctx: Ctx): Promise<void> {
  const inner = pathParam(ctx);
  const res = response(ctx);
  await inContainer(ctx, inner, async (target) => {
    const header = statHeader(target, inner, ctx.params.id);
    // `path/.` asks for a directory's contents (entries named ./x), anything else for the entry itself.
    const contents = target.endsWith('/.');
    const dir = contents ? target.slice(0, -2) : target;
    res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': header });
    await tar(['-C', contents ? dir : path.dirname(dir), '--numeric-owner', '-cf', '-', contents ? '.' : path.basename(dir)], undefined, res);
  });
  res.end();
}

async function put(ctx: Ctx): Promise<void> {
  const inner = pathParam(ctx);
  const owners = boolParam(ctx.query, 'copyUIDGID') ? ['--same-owner', '--numeric-owner'] : ['--no-same-owner'];
  await inContainer(ctx, inner, async (target, writable) => {
    if (!writable) throw badRequest('mounted volume is marked read-only');
    let st: fs.Stats;
    try {
      st = fs.statSync(target);
    } catch {
      throw notFound(`Could not find the file ${inner} in container ${ctx.params.id}`);
    }
    if (!st.isDirectory()) throw badRequest('extraction point is not a directory');
    await tar(['-C', target, ...owners, '-xf', '-'], ctx.req, undefined);
  });
  sendEmpty(response(ctx), 200);
}

export function archiveRoutes(router: RouteTable): void {
  router
    .add('HEAD', '/containers/:id/archive', { fn: stat })
    .add('GET', '/containers/:id/archive', { fn: get })
    .add('PUT', '/containers/:id/archive', { fn: put });
}
