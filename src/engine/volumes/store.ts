// docker's local volume driver for one engine root: a volume is a directory <root>/volumes/<name>/_data
// (its Mountpoint) plus a small metadata file; containers get it as a bind mount. Anonymous volumes
// (VOLUME, -v /path) are named by 64 random hex digits and labelled so prune and rm -v find them.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { conflict, invalid, notFound } from '../errors.js';
import type { MountSpec } from '../mounts.js';

export interface Volume {
  CreatedAt: string;
  Driver: 'local';
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: 'local';
}

export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(path.resolve(root), 'volumes');
  }

  private meta(name: string): string {
    return path.join(this.dir, name, 'meta.json');
  }

  find(name: string): Volume | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.meta(name), 'utf8')) as Volume;
    } catch {
      return undefined;
    }
  }

  get(name: string): Volume {
    const v = this.find(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  list(): Volume[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return names.map((n) => this.find(n)).filter((v): v is Volume => v !== undefined).sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** Creates the volume, or returns the existing one of that name (docker volume create is idempotent). */
  create(name?: string, labels: Record<string, string> = {}): Volume {
    const anonymous = !name;
    const volName = name ?? crypto.randomBytes(32).toString('hex');
    if (!NAME.test(volName)) throw invalid(`create ${volName}: "${volName}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    const existing = this.find(volName);
    if (existing) return existing;
    const v: Volume = {
      CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Driver: 'local',
      Labels: anonymous ? { ...labels, [ANONYMOUS_LABEL]: '' } : labels,
      Mountpoint: path.join(this.dir, volName, '_data'),
      Name: volName,
      Options: {},
      Scope: 'local',
    };
    fs.mkdirSync(v.Mountpoint, { recursive: true });
    fs.writeFileSync(`${this.meta(volName)}.tmp`, JSON.stringify(v));
    fs.renameSync(`${this.meta(volName)}.tmp`, this.meta(volName));
    return v;
  }

  /** Removes a volume no container uses (`users`: ids of containers that mount it). */
  remove(name: string, users: string[]): void {
    this.get(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
  }

  /**
   * Docker's copy-up: on first mount, an empty volume receives what the image has at the mount path
   * (owners, modes and all), so `-v data:/usr/share/nginx/html` starts with the image's files.
   */
  copyUp(v: Volume, imagePath: string): void {
    if (!fs.existsSync(imagePath) || !fs.statSync(imagePath).isDirectory()) return;
    if (fs.readdirSync(v.Mountpoint).length) return;
    const r = spawnSync('cp', ['-a', `${imagePath}/.`, `${v.Mountpoint}/`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`copying image content into volume ${v.Name}: ${r.stderr.trim()}`);
  }

  /** The bind mount a container gets for a volume mount spec. */
  mountFor(v: Volume, m: MountSpec): MountSpec {
    return { ...m, Type: 'volume', Name: v.Name, Source: v.Mountpoint };
  }
}

/** Names of the volumes a container's mounts use. */
export function volumesOf(mounts: MountSpec[]): string[] {
  return mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!);
}
