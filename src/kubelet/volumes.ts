// Pod volumes on the node's disk under <pods-dir>/<uid>/volumes/<plugin>/<name>, as the kubelet lays
// them out: emptyDir (tmpfs for medium Memory), hostPath (with its type checks), configMap, secret,
// downwardAPI and projected volumes written atomically (files are links into a `..data` directory
// that is swapped in one rename, so readers never see half an update), and persistentVolumeClaims
// bound to hostPath/local volumes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ContainerConfigError, podFieldValue, resourceFieldValue, type EnvSources } from './env.js';
import type { KeyToPath, Pod, Volume, VolumeProjection } from '../client/index.js';

/** What volume setup needs from the API besides the pod. */
export interface VolumeSources {
  configMap(name: string): Promise<{ data: Record<string, Buffer> } | undefined>;
  secret(name: string): Promise<{ data: Record<string, Buffer> } | undefined>;
  /** The host directory of a bound claim, or an error message saying why there is none. */
  claimPath(claimName: string): Promise<string | { error: string }>;
  /** A service-account token for this pod (TokenRequest bound to the pod). */
  serviceAccountToken(audience: string | undefined, expirationSeconds: number): Promise<string>;
  nodeAllocatable: EnvSources['nodeAllocatable'];
}

export class VolumeError extends Error {}

const PLUGIN: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

function pluginOf(v: Volume): string | undefined {
  if (v.hostPath || v.persistentVolumeClaim || v.nfs) return undefined;
  for (const key of Object.keys(PLUGIN)) if ((v as unknown as Record<string, unknown>)[key]) return PLUGIN[key];
  return PLUGIN.emptyDir;
}

export function volumeDir(podDir: string, v: Volume): string | undefined {
  const plugin = pluginOf(v);
  return plugin ? path.join(podDir, 'volumes', plugin, v.name) : undefined;
}

function isMountPoint(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

type FileSet = Map<string, { data: Buffer; mode: number }>;

/**
 * Writes files into dir the way atomic_writer.go does: a fresh timestamped directory, `..data`
 * replaced by one rename, and top-level names linked through `..data`. Nothing happens when the
 * content is unchanged, so periodic refreshes are cheap.
 */
export function writeAtomic(dir: string, files: FileSet, gid?: number): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const dataLink = path.join(dir, '..data');
  const current = fs.existsSync(dataLink) ? path.join(dir, fs.readlinkSync(dataLink)) : undefined;
  if (current && sameContent(current, files)) return false;
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  const next = path.join(dir, stamp);
  fs.mkdirSync(next, { mode: 0o755 });
  for (const [rel, f] of files) {
    const file = path.join(next, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.data, { mode: f.mode });
    fs.chmodSync(file, f.mode);
    if (gid !== undefined) fs.chownSync(file, 0, gid);
  }
  const tmp = path.join(dir, '..data_tmp');
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(stamp, tmp);
  fs.renameSync(tmp, dataLink);
  const tops = new Set([...files.keys()].map((k) => k.split('/')[0]));
  for (const top of tops) {
    const link = path.join(dir, top);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join('..data', top), link);
  }
  for (const entry of fs.readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (entry.startsWith('..')) {
      if (entry !== '..data' && p !== next) fs.rmSync(p, { recursive: true, force: true });
    } else if (!tops.has(entry)) {
      fs.rmSync(p, { recursive: true, force: true });
    }
  }
  return true;
}

function sameContent(dir: string, files: FileSet): boolean {
  const seen = new Set<string>();
  const walk = (d: string, rel: string): boolean => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!walk(path.join(d, e.name), r)) return false;
        continue;
      }
      const want = files.get(r);
      if (!want) return false;
      const st = fs.statSync(path.join(d, e.name));
      if ((st.mode & 0o777) !== want.mode || !fs.readFileSync(path.join(d, e.name)).equals(want.data)) return false;
      seen.add(r);
    }
    return true;
  };
  return walk(dir, '') && seen.size === files.size;
}

function projectKeys(kind: string, name: string, data: Record<string, Buffer>, items: KeyToPath[] | undefined, mode: number, optional: boolean | undefined, into: FileSet): void {
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) into.set(k, { data: v, mode });
    return;
  }
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new VolumeError(`configuration error: ${kind} "${name}" has no key "${item.key}"`);
    }
    into.set(item.path, { data: value, mode: item.mode ?? mode });
  }
}

async function projection(pod: Pod, p: VolumeProjection, mode: number, src: VolumeSources, into: FileSet): Promise<void> {
  if (p.configMap) {
    const cm = await src.configMap(p.configMap.name);
    if (!cm) {
      if (p.configMap.optional) return;
      throw new VolumeError(`configmap "${p.configMap.name}" not found`);
    }
    projectKeys('configmap', p.configMap.name, cm.data, p.configMap.items, mode, p.configMap.optional, into);
  }
  if (p.secret) {
    const s = await src.secret(p.secret.name);
    if (!s) {
      if (p.secret.optional) return;
      throw new VolumeError(`secret "${p.secret.name}" not found`);
    }
    projectKeys('secret', p.secret.name, s.data, p.secret.items, mode, p.secret.optional, into);
  }
  if (p.serviceAccountToken) {
    const token = await src.serviceAccountToken(p.serviceAccountToken.audience, p.serviceAccountToken.expirationSeconds ?? 3600);
    into.set(p.serviceAccountToken.path, { data: Buffer.from(token), mode });
  }
  for (const item of p.downwardAPI?.items ?? []) {
    let value: string;
    try {
      if (item.fieldRef) value = podFieldValue(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef) {
        const c = pod.spec.containers.find((x) => x.name === item.resourceFieldRef!.containerName) ?? pod.spec.containers[0];
        value = resourceFieldValue(pod, c, item.resourceFieldRef, src.nodeAllocatable);
      } else continue;
    } catch (err) {
      throw new VolumeError(err instanceof ContainerConfigError ? err.message : String(err));
    }
    into.set(item.path, { data: Buffer.from(value), mode: item.mode ?? mode });
  }
}

/**
 * Sets up (or refreshes) one volume and returns its host path. Called before containers start and
 * again on every sync, which is how configMap/secret/downwardAPI updates reach running pods.
 */
export async function setUpVolume(pod: Pod, podDir: string, v: Volume, src: VolumeSources): Promise<string> {
  const fsGroup = pod.spec.securityContext?.fsGroup;
  if (v.hostPath) return hostPathVolume(v.hostPath.path, v.hostPath.type ?? '');
  if (v.persistentVolumeClaim) {
    const p = await src.claimPath(v.persistentVolumeClaim.claimName);
    if (typeof p !== 'string') throw new VolumeError(p.error);
    return p;
  }
  if (v.nfs) throw new VolumeError(`nfs volume ${v.name}: mount.nfs is not available on this node`);
  const dir = volumeDir(podDir, v)!;
  if (v.configMap || v.secret || v.downwardAPI || v.projected) {
    const files: FileSet = new Map();
    const mode = (v.configMap?.defaultMode ?? v.secret?.defaultMode ?? v.downwardAPI?.defaultMode ?? v.projected?.defaultMode ?? 0o644) & 0o777;
    if (v.configMap) await projection(pod, { configMap: v.configMap }, mode, src, files);
    if (v.secret) await projection(pod, { secret: { name: v.secret.secretName ?? '', items: v.secret.items, optional: v.secret.optional } }, mode, src, files);
    if (v.downwardAPI) await projection(pod, { downwardAPI: v.downwardAPI }, mode, src, files);
    for (const p of v.projected?.sources ?? []) await projection(pod, p, mode, src, files);
    writeAtomic(dir, files, fsGroup);
    return dir;
  }
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    if (v.emptyDir?.medium === 'Memory') {
      const size = v.emptyDir.sizeLimit ? `,size=${parseSize(String(v.emptyDir.sizeLimit))}` : '';
      execFileSync('mount', ['-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir]);
    }
    // emptyDir is world-writable (as kubelet's empty_dir.go does) so any runAsUser can use it.
    fs.chmodSync(dir, 0o777);
    if (fsGroup !== undefined) {
      fs.chownSync(dir, 0, fsGroup);
      fs.chmodSync(dir, 0o2777);
    }
  }
  return dir;
}

function parseSize(limit: string): number {
  const m = /^(\d+)([KMGT]i?)?$/.exec(limit);
  if (!m) return 0;
  const unit = m[2] ?? '';
  const pow: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * pow[unit];
}

/** hostPath types (core/v1 HostPathType): create what "OrCreate" asks for, check the rest. */
function hostPathVolume(p: string, type: string): string {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  const fail = (what: string): never => {
    throw new VolumeError(`hostPath type check failed: ${p} is not a ${what}`);
  };
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) fs.mkdirSync(p, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) fail('directory');
      break;
    case 'FileOrCreate':
      if (!st) {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, '', { mode: 0o644 });
      } else if (!st.isFile()) fail('file');
      break;
    case 'Directory':
      if (!st?.isDirectory()) fail('directory');
      break;
    case 'File':
      if (!st?.isFile()) fail('file');
      break;
    case 'Socket':
      if (!st?.isSocket()) fail('socket');
      break;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) fail('character device');
      break;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) fail('block device');
      break;
    default:
      break;
  }
  return p;
}

/** Unmounts and removes a pod's volumes directory (hostPath and claim data stay where they are). */
export function tearDownVolumes(podDir: string): void {
  const root = path.join(podDir, 'volumes');
  if (!fs.existsSync(root)) return;
  for (const plugin of fs.readdirSync(root)) {
    for (const name of fs.readdirSync(path.join(root, plugin))) {
      const dir = path.join(root, plugin, name);
      if (isMountPoint(dir)) execFileSync('umount', ['-l', dir]);
    }
  }
  fs.rmSync(podDir, { recursive: true, force: true });
}
