// A container's filesystem as docker shows it: diff (A/C/D against the image), commit (the writable
// layer as a new image layer), export (the merged tree as a tar), and paths resolved inside the rootfs
// for cp. Paths that exist only as mountpoints for engine-made mounts (/etc/hosts, /proc, …) are left
// out, as docker keeps them in a separate init layer.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { invalid, notFound } from '../errors.js';
import type { Image, ImageConfig, ImageRuntimeConfig } from '../images/types.js';
import type { Change, Snapshots } from '../snapshots/overlay.js';
import type { ImageStore } from '../images/store.js';
import type { MetadataDB } from '../metadata/db.js';
import type { ContainerEngine } from './manager.js';
import type { Container } from './types.js';

const INIT_PATHS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev', '/proc', '/sys', '/sbin/docker-init', '/catatonit', '/.dockerenv'];

function mountpoints(c: Container): string[] {
  return [...INIT_PATHS, ...c.Mounts.map((m) => m.Destination)];
}

/** docker diff: changes of the writable layer, without the engine's own mountpoints. */
export function containerChanges(engine: ContainerEngine, snapshots: Snapshots, c: Container): Change[] {
  const all = snapshots.changes(engine.lowerDirs(c), path.join(engine.dir(c.Id), 'upper'));
  const hidden = mountpoints(c);
  const isHidden = (p: string): boolean => hidden.some((h) => p === h || p.startsWith(`${h}/`));
  const kept = all.filter((ch) => !isHidden(ch.path));
  // A parent dir copied up only because a mountpoint was created in it is not a user change.
  return kept.filter((ch) => {
    if (ch.kind !== 'C') return true;
    const below = all.filter((x) => x.path.startsWith(`${ch.path}/`));
    return !below.length || below.some((x) => !isHidden(x.path));
  });
}

export interface CommitOptions {
  repo?: string;
  author?: string;
  message?: string;
  /** Dockerfile-style instructions applied to the config (CMD, ENTRYPOINT, ENV, LABEL, WORKDIR, USER, EXPOSE). */
  changes?: string[];
  pause?: boolean;
}

/** Parses one `--change` instruction onto a runtime config (JSON or shell form for CMD/ENTRYPOINT). */
export function applyChange(cfg: ImageRuntimeConfig, change: string): void {
  const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(change);
  if (!m) throw invalid(`dockerfile parse error: unknown instruction: ${change}`);
  const [, instr, rest] = m;
  const argv = (): string[] => {
    const t = rest.trim();
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t) as string[];
      } catch {
        // not JSON: docker falls back to the shell form
      }
    }
    return ['/bin/sh', '-c', t];
  };
  const pairs = (): Array<[string, string]> => {
    const t = rest.trim();
    if (!t.includes('=')) {
      const sp = t.indexOf(' ');
      return [[t.slice(0, sp), t.slice(sp + 1)]];
    }
    return [...t.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((p) => [p[1], p[2].startsWith('"') ? (JSON.parse(p[2]) as string) : p[2]]);
  };
  switch (instr.toUpperCase()) {
    case 'CMD':
      cfg.Cmd = argv();
      break;
    case 'ENTRYPOINT':
      cfg.Entrypoint = argv();
      break;
    case 'ENV': {
      const env = [...(cfg.Env ?? [])];
      for (const [k, v] of pairs()) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      cfg.Env = env;
      break;
    }
    case 'LABEL':
      cfg.Labels = { ...(cfg.Labels ?? {}), ...Object.fromEntries(pairs()) };
      break;
    case 'WORKDIR':
      cfg.WorkingDir = rest.trim();
      break;
    case 'USER':
      cfg.User = rest.trim();
      break;
    case 'EXPOSE':
      cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}), ...Object.fromEntries(rest.trim().split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
      break;
    case 'STOPSIGNAL':
      cfg.StopSignal = rest.trim();
      break;
    default:
      throw invalid(`${instr} is not a valid change command`);
  }
}

export interface CommitDeps {
  containers: ContainerEngine;
  snapshots: Snapshots;
  images: ImageStore;
  db: MetadataDB;
}

/** docker commit: the writable layer becomes a new image on top of the container's image. */
export async function commitContainer(d: CommitDeps, ref: string, o: CommitOptions): Promise<Image> {
  const c = d.containers.get(ref);
  const base = d.containers.imageOf(c);
  if (!base) throw notFound(`image ${c.Image} of container ${c.Id.slice(0, 12)} is gone`);
  const pause = (o.pause ?? true) && c.State.Running && !c.State.Paused;
  if (pause) await d.containers.pause(c.Id);
  let diff: { diffId: string; size: number };
  const tmp = d.images.content.tempPath();
  try {
    const hidden = mountpoints(c);
    diff = d.snapshots.writeDiff(path.join(d.containers.dir(c.Id), 'upper'), tmp, (rel) => hidden.some((h) => `/${rel}` === h || `/${rel}`.startsWith(`${h}/`)));
  } finally {
    if (pause) await d.containers.unpause(c.Id);
  }
  d.images.content.adopt(tmp, diff.diffId);
  const runtime: ImageRuntimeConfig = {
    ...(base.config.config ?? {}),
    Env: c.Config.Env,
    Cmd: c.Config.Cmd,
    Entrypoint: c.Config.Entrypoint,
    WorkingDir: c.Config.WorkingDir,
    User: c.Config.User,
    Labels: c.Config.Labels,
    Hostname: c.Config.Hostname,
    Tty: c.Config.Tty,
    OpenStdin: c.Config.OpenStdin,
    ...(c.Config.StopSignal ? { StopSignal: c.Config.StopSignal } : {}),
  };
  for (const ch of o.changes ?? []) applyChange(runtime, ch);
  const created = new Date().toISOString();
  const config: ImageConfig = {
    architecture: base.config.architecture,
    os: base.config.os,
    created,
    author: o.author ?? '',
    comment: o.message ?? '',
    container: c.Id,
    config: runtime,
    container_config: { ...runtime, Cmd: [c.Path, ...c.Args] },
    rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, diff.diffId] },
    history: [...(base.config.history ?? []), { created, created_by: [c.Path, ...c.Args].join(' '), ...(o.author ? { author: o.author } : {}), ...(o.message ? { comment: o.message } : {}) }],
  };
  const blobs = base.chain.map((chainId) => d.db.getLayer(chainId)?.blob ?? '');
  if (blobs.some((b) => !b)) throw notFound(`a layer of image ${base.id} has no stored tar; it cannot be committed onto`);
  return d.images.add(Buffer.from(JSON.stringify(config)), [...blobs, diff.diffId], { tags: o.repo ? [o.repo] : [], source: 'local', parent: base.id });
}

/** docker import: a tar (plain or gzip) becomes a one-layer image. */
export async function importTarball(images: ImageStore, file: string, o: { repo?: string; message?: string; changes?: string[] }): Promise<Image> {
  const plain = images.content.tempPath();
  const gz = isGzip(file);
  await new Promise<void>((resolve, reject) => {
    const src = fs.createReadStream(file);
    const out = fs.createWriteStream(plain);
    out.on('finish', () => resolve());
    out.on('error', reject);
    src.on('error', reject);
    if (gz) void import('node:zlib').then((z) => src.pipe(z.createGunzip()).on('error', reject).pipe(out));
    else src.pipe(out);
  });
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(plain)) hash.update(chunk as Buffer);
  const diffId = `sha256:${hash.digest('hex')}`;
  images.content.adopt(plain, diffId);
  const runtime: ImageRuntimeConfig = {};
  for (const ch of o.changes ?? []) applyChange(runtime, ch);
  const created = new Date().toISOString();
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    created,
    comment: o.message ?? 'Imported from -',
    config: runtime,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: '', comment: o.message ?? 'Imported from -' }],
  };
  return images.add(Buffer.from(JSON.stringify(config)), [diffId], { tags: o.repo ? [o.repo] : [], source: 'local' });
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    fs.readSync(fd, b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Streams the container's merged filesystem as a tar (docker export). */
export async function exportContainer(engine: ContainerEngine, ref: string, out: NodeJS.WritableStream): Promise<void> {
  const c = engine.get(ref);
  await engine.withRootfs(c, (rootfs) =>
    new Promise<void>((resolve, reject) => {
      // To our own stdout tar writes directly: a relayed tail could still be in flight when the verb exits.
      const direct = out === process.stdout;
      const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', direct ? 'inherit' : 'pipe', 'pipe'] });
      let err = '';
      tar.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      if (!direct) tar.stdout!.pipe(out, { end: false });
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`export: ${err.trim()}`))));
    }),
  );
}

/**
 * Resolves a path inside a container's rootfs the way the container would see it: symlinks (absolute
 * or relative) are followed within the rootfs, so no path escapes it.
 */
export function scopedPath(rootfs: string, p: string, followLast = true): string {
  const parts = p.split('/').filter((x) => x && x !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(rootfs, ...resolved, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink() && (followLast || parts.length)) {
      if (++hops > 40) throw invalid(`too many levels of symbolic links: ${p}`);
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      parts.unshift(...target.split('/').filter((x) => x && x !== '.'));
      continue;
    }
    resolved.push(part);
  }
  return path.join(rootfs, ...resolved);
}
