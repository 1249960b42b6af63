// Filesystem layers as overlayfs lower directories, shared by every image that has the same chain of
// layers (containerd's snapshotter idea: prepare a writable upper over committed lowers, mount, and
// turn the upper back into a layer tar). A layer lives in `<snapshots>/<chain hex>/fs`.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { removeTree } from '../remove-tree.js';
import { TarWriter, entryFor, tarHeader, type TarEntry } from './tar.js';

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export function chainIdOf(parentChain: string, diffId: string): string {
  if (!parentChain) return diffId;
  return `sha256:${crypto.createHash('sha256').update(`${parentChain} ${diffId}`).digest('hex')}`;
}

function run(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): void {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
}

export class Snapshots {
  constructor(readonly dir: string) {}

  layerDir(chainId: string): string {
    return path.join(this.dir, chainId.replace(/^sha256:/, ''), 'fs');
  }

  hasLayer(chainId: string): boolean {
    return fs.existsSync(this.layerDir(chainId));
  }

  /** Creates a layer by letting `fill` populate a fresh directory, then publishing it atomically. */
  async createLayer(chainId: string, fill: (dir: string) => Promise<void> | void): Promise<void> {
    if (this.hasLayer(chainId)) return;
    const tmp = path.join(this.dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    fs.mkdirSync(path.join(tmp, 'fs'), { recursive: true });
    try {
      await fill(path.join(tmp, 'fs'));
      const final = path.dirname(this.layerDir(chainId));
      try {
        fs.renameSync(tmp, final);
      } catch (err) {
        // Another process published the same layer first: theirs is identical.
        if (!this.hasLayer(chainId)) throw err;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Unpacks an image-spec layer tar (gzip or plain) into dir, turning whiteout files into overlayfs form. */
  unpack(tarFile: string, dir: string): void {
    run('tar', ['-xf', tarFile, '-C', dir, '--numeric-owner', '--same-permissions', '--no-overwrite-dir']);
    this.convertWhiteouts(dir);
  }

  private convertWhiteouts(dir: string): void {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name === OPAQUE) {
        fs.rmSync(full);
        markOpaque(dir);
      } else if (name.startsWith(WHITEOUT)) {
        fs.rmSync(full, { recursive: true, force: true });
        run('mknod', [path.join(dir, name.slice(WHITEOUT.length)), 'c', '0', '0']);
      } else if (fs.lstatSync(full).isDirectory()) {
        this.convertWhiteouts(full);
      }
    }
  }

  removeLayer(chainId: string): void {
    fs.rmSync(path.dirname(this.layerDir(chainId)), { recursive: true, force: true });
  }

  /** Lower dirs for an image's chain, topmost first as overlayfs wants them. */
  lowerDirs(chain: string[]): string[] {
    return chain.map((c) => this.layerDir(c)).reverse();
  }

  /**
   * Mounts lowers + upper at target. Paths are given relative to the snapshots dir to stay within one page.
   * `volatile` (for a writable layer discarded after one run, podman's choice for --rm) spares the upper
   * file system the sync overlayfs otherwise does on unmount.
   */
  mount(lowers: string[], upper: string, work: string, target: string, opts: { volatile?: boolean } = {}): void {
    const lowerList = lowers.length ? lowers : [this.emptyDir()];
    let options = `lowerdir=${lowerList.map((l) => path.relative(this.dir, l)).join(':')},upperdir=${upper},workdir=${work}`;
    if (opts.volatile) {
      // overlayfs leaves this marker after a volatile mount and refuses the next one while it exists.
      removeTree(path.join(work, 'work', 'incompat', 'volatile'));
      options += ',volatile';
    }
    run('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { cwd: this.dir });
  }

  private emptyDir(): string {
    const dir = path.join(this.dir, 'empty');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** What the upper dir changed relative to the lowers, sorted by path (docker diff). */
  changes(lowers: string[], upper: string): Change[] {
    const out: Change[] = [];
    walk(upper, '', (rel, st) => {
      const p = `/${rel}`;
      if (isWhiteout(st)) out.push({ kind: 'D', path: p });
      else out.push({ kind: lowers.some((l) => exists(path.join(l, rel))) ? 'C' : 'A', path: p });
    });
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Writes the upper dir as an image-spec layer tar (whiteouts as .wh. files); returns diffID and size. */
  writeDiff(upper: string, outFile: string, skip?: (rel: string) => boolean): { diffId: string; size: number } {
    const fd = fs.openSync(outFile, 'w');
    try {
      const tar = new TarWriter(fd);
      writeTree(tar, upper, true, skip);
      tar.finish();
    } finally {
      fs.closeSync(fd);
    }
    return { diffId: `sha256:${hashFile(outFile)}`, size: fs.statSync(outFile).size };
  }

  /** Writes a whole directory tree (a layer built from scratch) as a tar. */
  writeTree(dir: string, outFile: string): { diffId: string; size: number } {
    const fd = fs.openSync(outFile, 'w');
    try {
      const tar = new TarWriter(fd);
      writeTree(tar, dir, false);
      tar.finish();
    } finally {
      fs.closeSync(fd);
    }
    return { diffId: `sha256:${hashFile(outFile)}`, size: fs.statSync(outFile).size };
  }
}

/** Whether umount failed for a reason other than the target not being mounted (then it is detached lazily). */
function unmountFailed(status: number | null, stderr: string): boolean {
  return status !== 0 && !/not mounted|no mount point|not found/i.test(stderr);
}

export function unmount(target: string): void {
  const r = spawnSync('umount', [target], { encoding: 'utf8' });
  if (unmountFailed(r.status, r.stderr)) spawnSync('umount', ['-l', target]);
}

/** unmount() while the event loop goes on, so the caller frees other things meanwhile. Never rejects. */
export async function unmountInBackground(target: string): Promise<void> {
  const umount = (args: string[]): Promise<{ status: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn('umount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (err) => resolve({ status: null, stderr: err.message }));
      child.on('close', (status) => resolve({ status, stderr }));
    });
  const r = await umount([target]);
  if (unmountFailed(r.status, r.stderr)) await umount(['-l', target]);
}

export function isMounted(target: string): boolean {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const escaped = target.replace(/ /g, '\\040');
  return mounts.split('\n').some((line) => line.split(' ')[4] === escaped);
}

function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function walk(root: string, rel: string, visit: (rel: string, st: fs.Stats) => void): void {
  for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = fs.lstatSync(path.join(root, r));
    visit(r, st);
    if (st.isDirectory()) walk(root, r, visit);
  }
}

function writeTree(tar: TarWriter, root: string, whiteouts: boolean, skip?: (rel: string) => boolean): void {
  const seen = new Map<string, string>();
  walk(root, '', (rel, st) => {
    if (skip?.(rel)) return;
    const full = path.join(root, rel);
    if (whiteouts && isWhiteout(st)) {
      const name = path.posix.join(path.posix.dirname(rel), WHITEOUT + path.posix.basename(rel));
      tar.add({ name: name.replace(/^\.\//, ''), type: 'file', mode: 0, size: 0, mtime: Math.floor(st.mtimeMs / 1000) });
      return;
    }
    const entry: TarEntry | undefined = entryFor(rel, st, st.isSymbolicLink() ? fs.readlinkSync(full) : undefined);
    if (!entry) return;
    const inode = `${st.dev}:${st.ino}`;
    if (entry.type === 'file' && st.nlink > 1) {
      const first = seen.get(inode);
      if (first) {
        tar.add({ ...entry, type: 'hardlink', size: 0, linkname: first });
        return;
      }
      seen.set(inode, rel);
    }
    tar.add(entry, full);
  });
}

function hashFile(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Node cannot set xattrs; GNU tar can, from a PAX record, so an opaque dir is marked through a tiny tar. */
function markOpaque(dir: string): void {
  const st = fs.statSync(dir);
  const header = tarHeader({ name: '.', type: 'dir', mode: st.mode, uid: st.uid, gid: st.gid, pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } });
  run('tar', ['--xattrs', '--xattrs-include=trusted.*', '-xf', '-', '-C', dir], { input: Buffer.concat([header, Buffer.alloc(1024)]) });
}
