// The registry's disk layout, modelled on distribution's filesystem driver:
//   blobs/sha256/<hex>                                   content, stored once by digest
//   repositories/<name>/_layers/sha256/<hex>             the blob is linked into this repository
//   repositories/<name>/_manifests/revisions/sha256/<hex> manifest revision (contents: its media type)
//   repositories/<name>/_manifests/tags/<tag>            tag → manifest digest
//   uploads/<uuid>/{data,repo}                           uploads in progress
// Writes go to a temp file and are renamed into place, so readers never see half a blob.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

const hex = (digest: string): string => digest.slice('sha256:'.length);

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return `sha256:${hash.digest('hex')}`;
}

export class RegistryStorage {
  constructor(readonly root: string) {}

  private blobPath(digest: string): string {
    return path.join(this.root, 'blobs', 'sha256', hex(digest));
  }
  private repoDir(name: string): string {
    return path.join(this.root, 'repositories', ...name.split('/'));
  }
  private layerLink(name: string, digest: string): string {
    return path.join(this.repoDir(name), '_layers', 'sha256', hex(digest));
  }
  private revisionPath(name: string, digest: string): string {
    return path.join(this.repoDir(name), '_manifests', 'revisions', 'sha256', hex(digest));
  }
  private tagPath(name: string, tag: string): string {
    return path.join(this.repoDir(name), '_manifests', 'tags', tag);
  }
  private uploadDir(uuid: string): string {
    return path.join(this.root, 'uploads', uuid);
  }

  async repositoryExists(name: string): Promise<boolean> {
    return (await exists(path.join(this.repoDir(name), '_manifests'))) || (await exists(path.join(this.repoDir(name), '_layers')));
  }

  /** Size of the blob if it is linked into the repository. */
  async blobSize(name: string, digest: string): Promise<number | undefined> {
    if (!(await exists(this.layerLink(name, digest))) && !(await exists(this.revisionPath(name, digest)))) return undefined;
    try {
      return (await fsp.stat(this.blobPath(digest))).size;
    } catch {
      return undefined;
    }
  }

  blobFile(digest: string): string {
    return this.blobPath(digest);
  }

  /** Links a blob that exists anywhere in the registry into `name` (cross-repository mount). */
  async mountBlob(name: string, digest: string, from: string): Promise<boolean> {
    if ((await this.blobSize(from, digest)) === undefined) return false;
    await writeAtomic(this.layerLink(name, digest), '');
    return true;
  }

  async deleteBlobLink(name: string, digest: string): Promise<boolean> {
    try {
      await fsp.unlink(this.layerLink(name, digest));
      return true;
    } catch {
      return false;
    }
  }

  // --- uploads

  async startUpload(name: string): Promise<string> {
    const uuid = crypto.randomUUID();
    const dir = this.uploadDir(uuid);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, 'data'), '');
    await fsp.writeFile(path.join(dir, 'repo'), name);
    return uuid;
  }

  /** Current size of the upload, or undefined if there is no such upload for this repository. */
  async uploadSize(name: string, uuid: string): Promise<number | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(uuid)) return undefined;
    try {
      const repo = await fsp.readFile(path.join(this.uploadDir(uuid), 'repo'), 'utf8');
      if (repo !== name) return undefined;
      return (await fsp.stat(path.join(this.uploadDir(uuid), 'data'))).size;
    } catch {
      return undefined;
    }
  }

  async appendUpload(uuid: string, body: Readable): Promise<number> {
    const file = path.join(this.uploadDir(uuid), 'data');
    await pipeline(body, fs.createWriteStream(file, { flags: 'a' }));
    return (await fsp.stat(file)).size;
  }

  /** Verifies the upload against `digest` and moves it into the blob store; false on mismatch. */
  async finishUpload(name: string, uuid: string, digest: string): Promise<boolean> {
    const file = path.join(this.uploadDir(uuid), 'data');
    const actual = await sha256OfFile(file);
    if (actual !== digest) return false;
    const target = this.blobPath(digest);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.rename(file, target);
    await writeAtomic(this.layerLink(name, digest), '');
    await this.cancelUpload(uuid);
    return true;
  }

  async cancelUpload(uuid: string): Promise<void> {
    await fsp.rm(this.uploadDir(uuid), { recursive: true, force: true });
  }

  // --- manifests

  async putManifest(name: string, body: Buffer, mediaType: string, digest: string, tag?: string): Promise<void> {
    const blob = this.blobPath(digest);
    if (!(await exists(blob))) await writeAtomic(blob, body);
    await writeAtomic(this.revisionPath(name, digest), mediaType);
    if (tag) await writeAtomic(this.tagPath(name, tag), digest);
  }

  async resolveTag(name: string, tag: string): Promise<string | undefined> {
    try {
      return (await fsp.readFile(this.tagPath(name, tag), 'utf8')).trim();
    } catch {
      return undefined;
    }
  }

  async getManifest(name: string, digest: string): Promise<{ body: Buffer; mediaType: string } | undefined> {
    try {
      const mediaType = await fsp.readFile(this.revisionPath(name, digest), 'utf8');
      return { body: await fsp.readFile(this.blobPath(digest)), mediaType };
    } catch {
      return undefined;
    }
  }

  /** Deletes a manifest revision and every tag pointing at it. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    try {
      await fsp.unlink(this.revisionPath(name, digest));
    } catch {
      return false;
    }
    for (const tag of await this.tags(name)) {
      if ((await this.resolveTag(name, tag)) === digest) await fsp.rm(this.tagPath(name, tag), { force: true });
    }
    return true;
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    try {
      await fsp.unlink(this.tagPath(name, tag));
      return true;
    } catch {
      return false;
    }
  }

  async tags(name: string): Promise<string[]> {
    try {
      return (await fsp.readdir(path.join(this.repoDir(name), '_manifests', 'tags'))).filter((t) => !t.endsWith('.tmp')).sort();
    } catch {
      return [];
    }
  }

  /** Every repository with at least one manifest revision, sorted. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        if (e.name === '_manifests') out.push(prefix.join('/'));
        else if (!e.name.startsWith('_')) await walk(path.join(dir, e.name), [...prefix, e.name]);
      }
    };
    await walk(path.join(this.root, 'repositories'), []);
    return out.sort();
  }
}
