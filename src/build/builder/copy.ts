// COPY and ADD: resolve sources (globs, no escaping the source root, .dockerignore'd files invisible),
// hash them for the cache key (content and metadata, never mtime — touching a file keeps the cache),
// and copy them into a rootfs with docker's destination rules (directories copy their contents, a
// trailing slash or an existing directory means "into", several sources need a directory dest, ADD
// unpacks local tar archives).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';

export class CopyError extends Error {}

export interface CopySource {
  /** Absolute path on the host. */
  abs: string;
  /** Path relative to the source root, as written after glob expansion. */
  rel: string;
}

export interface SourceRoot {
  root: string;
  excluded(rel: string): boolean;
  /** Some `!` exception may re-include files below an excluded directory, so excluded dirs are still walked. */
  hasExceptions?: boolean;
}

/** Whether to visit a path: included, or an excluded directory that an exception may reach into. */
function visit(src: SourceRoot, rel: string, isDir: boolean): 'yes' | 'descend' | 'no' {
  if (!src.excluded(rel)) return 'yes';
  return isDir && src.hasExceptions ? 'descend' : 'no';
}

const GLOB_CHARS = /[*?[]/;

function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new CopyError(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function cleanRel(src: string, cmd: string): string {
  const normalized = path.posix.normalize(src.replace(/^\/+/, ''));
  if (normalized === '..' || normalized.startsWith('../')) {
    throw new CopyError(`${cmd} failed: forbidden path outside the build context: ${src} ()`);
  }
  return normalized === '' ? '.' : normalized.replace(/\/$/, '');
}

function walkAll(src: SourceRoot, relDir: string, out: string[]): void {
  const dir = path.join(src.root, relDir);
  for (const name of fs.readdirSync(dir).sort()) {
    const rel = relDir === '.' ? name : `${relDir}/${name}`;
    const isDir = fs.lstatSync(path.join(src.root, rel)).isDirectory();
    const v = visit(src, rel, isDir);
    if (v === 'no') continue;
    if (v === 'yes') out.push(rel);
    if (isDir) walkAll(src, rel, out);
  }
}

/** Expands one COPY/ADD source into the files and directories it names. */
export function resolveSources(src: SourceRoot, patterns: string[], cmd: string): CopySource[] {
  const out: CopySource[] = [];
  for (const pattern of patterns) {
    const rel = cleanRel(pattern, cmd);
    if (GLOB_CHARS.test(rel)) {
      const all: string[] = [];
      walkAll(src, '.', all);
      const re = globRegex(rel);
      const matches = all.filter((r) => re.test(r));
      if (matches.length === 0) throw new CopyError(`${cmd} failed: no source files were specified`);
      for (const m of matches) out.push({ abs: resolveInRoot(src.root, m), rel: m });
      continue;
    }
    // A symlink named as a source is followed (within the source root), as docker does.
    const abs = resolveInRoot(src.root, rel);
    if ((rel !== '.' && src.excluded(rel)) || !fs.existsSync(abs)) {
      throw new CopyError(`${cmd} failed: file not found in build context or excluded by .dockerignore: stat ${rel}: file does not exist`);
    }
    out.push({ abs, rel });
  }
  return out;
}

function fileHash(abs: string, name: string, st: fs.Stats): string {
  const hash = crypto.createHash('sha256');
  const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
  const link = st.isSymbolicLink() ? fs.readlinkSync(abs) : '';
  hash.update(`name=${name}\0mode=${(st.mode & 0o7777).toString(8)}\0uid=${st.uid}\0gid=${st.gid}\0size=${st.isFile() ? st.size : 0}\0type=${type}\0link=${link}\0`);
  if (st.isFile()) {
    // In chunks: a context may hold files larger than memory.
    const fd = fs.openSync(abs, 'r');
    const buf = Buffer.alloc(1 << 20);
    try {
      for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
  }
  return hash.digest('hex');
}

function treeHashes(src: SourceRoot, source: CopySource): string[] {
  const hashes: string[] = [];
  const walk = (abs: string, rel: string, relToSource: string, included: boolean): void => {
    const st = fs.lstatSync(abs);
    if (included) hashes.push(fileHash(abs, relToSource, st));
    if (!st.isDirectory()) return;
    for (const name of fs.readdirSync(abs).sort()) {
      const childRel = rel === '.' ? name : `${rel}/${name}`;
      const childAbs = path.join(abs, name);
      const v = visit(src, childRel, fs.lstatSync(childAbs).isDirectory());
      if (v !== 'no') walk(childAbs, childRel, relToSource ? `${relToSource}/${name}` : name, v === 'yes');
    }
  };
  walk(source.abs, source.rel, '', true);
  return hashes;
}

/** docker's cache-key hash: `file:<sha>` for one file, `dir:<sha>` for one directory, `multi:<sha>` for several. */
export function sourceHash(src: SourceRoot, sources: CopySource[]): string {
  const one = (s: CopySource): string => {
    const st = fs.lstatSync(s.abs);
    if (!st.isDirectory()) return `file:${fileHash(s.abs, path.posix.basename(s.rel), st)}`;
    return `dir:${crypto.createHash('sha256').update(treeHashes(src, s).join(',')).digest('hex')}`;
  };
  if (sources.length === 1) return one(sources[0]);
  return `multi:${crypto.createHash('sha256').update(sources.map(one).join(',')).digest('hex')}`;
}

/**
 * Resolves an absolute in-image path inside `rootfs`, following symlinks as the container would see
 * them (an absolute link target is relative to the rootfs), so a copy never writes outside the rootfs.
 */
export function resolveInRoot(rootfs: string, imagePath: string, followLast = true): string {
  const parts = imagePath.split('/').filter((p) => p && p !== '.');
  let current: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      current.pop();
      continue;
    }
    const candidate = path.join(rootfs, ...current, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink() && (parts.length > 0 || followLast)) {
      if (++hops > 40) throw new CopyError(`too many levels of symbolic links: ${imagePath}`);
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) current = [];
      parts.unshift(...target.split('/').filter((p) => p && p !== '.'));
      continue;
    }
    current.push(part);
  }
  return path.join(rootfs, ...current);
}

export interface CopyOptions {
  uid?: number;
  gid?: number;
  /** Mode bits applied to every copied file and directory (--chmod). */
  mode?: number;
  /** ADD: unpack local tar archives into the destination. */
  extractArchives?: boolean;
}

function isArchive(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(512);
  const n = fs.readSync(fd, head, 0, 512, 0);
  fs.closeSync(fd);
  const buf = head.subarray(0, n);
  const compressed = (buf[0] === 0x1f && buf[1] === 0x8b) || buf.subarray(0, 3).toString('latin1') === 'BZh'
    || buf.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  return compressed || (n >= 262 && buf.subarray(257, 262).toString('latin1') === 'ustar');
}

function applyMeta(target: string, st: fs.Stats, opts: CopyOptions): void {
  const isLink = st.isSymbolicLink();
  const uid = opts.uid ?? 0;
  const gid = opts.gid ?? 0;
  fs.lchownSync(target, uid, gid);
  if (!isLink) {
    fs.chmodSync(target, opts.mode ?? st.mode & 0o7777);
    fs.utimesSync(target, st.atime, st.mtime);
  }
}

function copyEntry(src: SourceRoot, abs: string, rel: string, target: string, opts: CopyOptions): void {
  const st = fs.lstatSync(abs);
  if (st.isDirectory()) {
    const existed = fs.existsSync(target);
    fs.mkdirSync(target, { recursive: true });
    for (const name of fs.readdirSync(abs).sort()) {
      const childRel = rel === '.' ? name : `${rel}/${name}`;
      const childAbs = path.join(abs, name);
      if (visit(src, childRel, fs.lstatSync(childAbs).isDirectory()) !== 'no') copyEntry(src, childAbs, childRel, path.join(target, name), opts);
    }
    // An excluded directory walked only for exceptions exists in the copy only if something in it did.
    if (rel !== '.' && src.excluded(rel) && !existed && fs.readdirSync(target).length === 0) fs.rmdirSync(target);
    else applyMeta(target, st, opts);
    return;
  }
  fs.rmSync(target, { force: true, recursive: fs.existsSync(target) && fs.lstatSync(target).isDirectory() });
  if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(abs), target);
  else fs.copyFileSync(abs, target);
  applyMeta(target, st, opts);
}

/**
 * Copies `sources` to `dest` (absolute, in-image; a trailing slash means "into a directory") under
 * `rootfs`. Missing parent directories are created as root:root 0755 like docker does.
 */
export function copyInto(src: SourceRoot, rootfs: string, sources: CopySource[], dest: string, cmd: string, opts: CopyOptions = {}): void {
  const destIsDir = dest.endsWith('/') || dest.endsWith('/.');
  if (sources.length > 1 && !destIsDir) {
    throw new CopyError(`When using ${cmd} with more than one source file, the destination must be a directory and end with a /`);
  }
  const destPath = resolveInRoot(rootfs, dest);
  for (const s of sources) {
    const st = fs.lstatSync(s.abs);
    const existingDir = fs.existsSync(destPath) && fs.statSync(destPath).isDirectory();
    if (st.isDirectory()) {
      fs.mkdirSync(destPath, { recursive: true });
      copyEntry(src, s.abs, s.rel, destPath, opts);
      continue;
    }
    if (opts.extractArchives && st.isFile() && isArchive(s.abs)) {
      fs.mkdirSync(destPath, { recursive: true });
      const res = spawnSync('tar', ['-x', '-f', s.abs, '-C', destPath, '--no-same-permissions', ...(opts.uid !== undefined ? ['--no-same-owner'] : ['--same-owner'])]);
      if (res.status !== 0) throw new CopyError(`${cmd} failed: unpacking ${s.rel}: ${res.stderr.toString().trim()}`);
      continue;
    }
    const target = destIsDir || existingDir ? path.join(destPath, path.posix.basename(s.rel)) : destPath;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    copyEntry(src, s.abs, s.rel, target, opts);
  }
}

/** `--chown=user:group`: numbers, or names looked up in the image's /etc/passwd and /etc/group. */
export function parseChown(spec: string, rootfs: string): { uid: number; gid: number } {
  const [user, group] = spec.split(':');
  const lookup = (file: string, name: string, kind: string): number => {
    if (/^\d+$/.test(name)) return Number(name);
    let text = '';
    try {
      text = fs.readFileSync(resolveInRoot(rootfs, file), 'utf8');
    } catch {
      throw new CopyError(`unable to convert uid/gid chown string to host mapping: can't find ${kind} for ${name}: no such file ${file}`);
    }
    const row = text.split('\n').map((l) => l.split(':')).find((f) => f[0] === name);
    if (!row) throw new CopyError(`unable to convert uid/gid chown string to host mapping: can't find ${kind} for ${name}`);
    return Number(row[2]);
  };
  const uid = lookup('/etc/passwd', user, 'uid');
  let gid: number;
  if (group !== undefined) gid = lookup('/etc/group', group, 'gid');
  else if (/^\d+$/.test(user)) gid = uid;
  else {
    const text = fs.readFileSync(resolveInRoot(rootfs, '/etc/passwd'), 'utf8');
    gid = Number(text.split('\n').map((l) => l.split(':')).find((f) => f[0] === user)?.[3] ?? uid);
  }
  return { uid, gid };
}

/** Refuses ADD from URLs: skiff builds offline and cannot fetch remote sources. */
export function rejectRemote(sources: string[]): void {
  const remote = sources.find((s) => /^(https?|git):\/\//.test(s) || s.startsWith('git@'));
  if (remote) {
    throw new CopyError(`ADD failed: remote source ${remote} is not supported: skiff builds offline; download it into the build context and ADD the local file`);
  }
}
