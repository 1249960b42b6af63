// Image archives. `save` writes what docker ≥25 writes: an OCI image layout (oci-layout, index.json,
// blobs/sha256/…) plus docker's manifest.json and repositories, with uncompressed layer tars named by
// their diff IDs — readable by `docker load`, `skopeo … docker-archive:` and OCI tools. `load` reads
// docker archives (any manifest.json layout, old or new) and OCI image layouts.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { canonical, familiarName, parseReference, splitName, type Engine, type Image } from '../engine/index.js';
import { layerBlobs } from './engine-images.js';
import { isIndex, MEDIA_TYPES, type AnyManifest, type Descriptor, type ImageIndex, type ImageManifest } from './types.js';

export class ArchiveError extends Error {}

interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

function hex(digest: string): string {
  return digest.replace(/^sha256:/, '');
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return `sha256:${hash.digest('hex')}`;
}

function isGzipFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Places a layer's uncompressed tar at `target` (a hard link when the blob is already uncompressed). */
async function placeLayer(blob: string, target: string): Promise<void> {
  if (fs.existsSync(target)) return;
  if (!isGzipFile(blob)) {
    try {
      fs.linkSync(blob, target);
      return;
    } catch {
      fs.copyFileSync(blob, target);
      return;
    }
  }
  await pipeline(fs.createReadStream(blob), zlib.createGunzip(), fs.createWriteStream(target));
}

function writeJson(file: string, value: unknown): Buffer {
  const data = Buffer.from(JSON.stringify(value));
  fs.writeFileSync(file, data);
  return data;
}

/** Resolves each name given to `save` to its image and the tags to record for it. */
async function resolveForSave(engine: Engine, names: string[]): Promise<Array<{ image: Image; tags: string[] }>> {
  const out = new Map<string, { image: Image; tags: string[] }>();
  for (const name of names) {
    // resolve, not lookup: the offline busybox image exists once something asks for it.
    const image = await engine.images.resolve(name).catch(() => undefined);
    if (!image) throw new ArchiveError(`reference does not exist: ${name}`);
    const entry = out.get(image.id) ?? { image, tags: [] };
    let tag: string | undefined;
    try {
      const ref = parseReference(name);
      const full = canonical(ref);
      // A bare ID saves the image untagged; a repository name saves the tag it was given (or latest).
      if (engine.images.lookup(full)?.id === image.id && !full.includes('@')) tag = full;
    } catch {
      tag = undefined;
    }
    if (tag && !entry.tags.includes(tag)) entry.tags.push(tag);
    out.set(image.id, entry);
  }
  return [...out.values()];
}

/**
 * Runs tar with `args`; its stdin/stdout are connected to the given streams. Rejects with tar's stderr.
 */
function tar(args: string[], io: { input?: Readable; output?: Writable }, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // To our own stdout tar writes directly: relayed through this process, the tail could still be in
    // flight when the verb exits (a truncated `skiff save > file`).
    const direct = io.output === process.stdout;
    const child = spawn('tar', args, { stdio: [io.input ? 'pipe' : 'ignore', direct ? 'inherit' : io.output ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (io.input) {
      io.input.on('error', (err) => {
        child.kill();
        reject(err);
      });
      child.stdin!.on('error', () => undefined);
      io.input.pipe(child.stdin!);
    }
    if (io.output && !direct) child.stdout!.pipe(io.output, { end: false });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new ArchiveError(`${what}: ${stderr.trim() || `tar exited ${code}`}`))));
  });
}

/** Writes the archive for `names` to a file path or a stream (stdout, an HTTP response). */
export async function saveImages(engine: Engine, names: string[], out: string | Writable): Promise<void> {
  const images = await resolveForSave(engine, names);
  fs.mkdirSync(engine.paths.tmp, { recursive: true });
  const dir = fs.mkdtempSync(path.join(engine.paths.tmp, 'save-'));
  try {
    const blobs = path.join(dir, 'blobs', 'sha256');
    fs.mkdirSync(blobs, { recursive: true });
    const manifestJson: DockerManifestEntry[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    const indexEntries: Descriptor[] = [];
    for (const { image, tags } of images) {
      fs.copyFileSync(engine.content.path(image.id), path.join(blobs, hex(image.id)));
      const diffIds = image.config.rootfs.diff_ids;
      const layerFiles = layerBlobs(engine, image);
      for (let i = 0; i < diffIds.length; i++) await placeLayer(engine.content.path(layerFiles[i]), path.join(blobs, hex(diffIds[i])));
      const layers: Descriptor[] = diffIds.map((d) => ({ mediaType: MEDIA_TYPES.ociLayer, digest: d, size: fs.statSync(path.join(blobs, hex(d))).size }));
      const manifest: ImageManifest = {
        schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: image.id, size: fs.statSync(path.join(blobs, hex(image.id))).size },
        layers,
      };
      const manifestBytes = Buffer.from(JSON.stringify(manifest));
      const manifestDigest = `sha256:${crypto.createHash('sha256').update(manifestBytes).digest('hex')}`;
      fs.writeFileSync(path.join(blobs, hex(manifestDigest)), manifestBytes);
      const familiarTags = tags.map(familiarName);
      const descriptor = { mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifestBytes.length };
      if (tags.length === 0) indexEntries.push(descriptor);
      for (const t of tags) {
        indexEntries.push({ ...descriptor, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': splitName(t)[1] } });
        const [repo, tag] = splitName(familiarName(t)).map(String);
        repositories[repo] = { ...(repositories[repo] ?? {}), [tag]: hex(image.id) };
      }
      manifestJson.push({ Config: `blobs/sha256/${hex(image.id)}`, RepoTags: familiarTags.length ? familiarTags : null, Layers: diffIds.map((d) => `blobs/sha256/${hex(d)}`) });
    }
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeJson(path.join(dir, 'index.json'), { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: indexEntries } satisfies ImageIndex);
    writeJson(path.join(dir, 'manifest.json'), manifestJson);
    const members = ['blobs', 'index.json', 'manifest.json', 'oci-layout'];
    if (Object.keys(repositories).length) {
      writeJson(path.join(dir, 'repositories'), repositories);
      members.push('repositories');
    }
    const target = typeof out === 'string' ? path.resolve(out) : '-';
    const args = ['-c', '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-C', dir, '-f', target, ...members];
    await tar(args, { output: typeof out === 'string' ? undefined : out }, 'writing the archive');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface LoadedImage {
  configFile: string;
  layerFiles: string[];
  names: string[];
}

function readJsonFile<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new ArchiveError(`invalid archive: ${path.basename(file)}: ${(err as Error).message}`);
  }
}

/** A path inside the unpacked archive; refuses names that would leave it. */
function inside(dir: string, rel: string): string {
  const full = path.resolve(dir, rel);
  if (!full.startsWith(dir + path.sep)) throw new ArchiveError(`invalid archive: path ${rel} escapes the archive`);
  if (!fs.existsSync(full)) throw new ArchiveError(`invalid archive: ${rel} is missing`);
  return full;
}

function fromDockerArchive(dir: string): LoadedImage[] {
  const entries = readJsonFile<DockerManifestEntry[]>(path.join(dir, 'manifest.json'));
  if (!Array.isArray(entries)) throw new ArchiveError('invalid archive: manifest.json is not a list');
  return entries.map((e) => ({
    configFile: inside(dir, e.Config),
    layerFiles: (e.Layers ?? []).map((l) => inside(dir, l)),
    names: e.RepoTags ?? [],
  }));
}

function blobFile(dir: string, digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new ArchiveError(`invalid archive: bad digest ${digest}`);
  return inside(dir, `blobs/sha256/${hex(digest)}`);
}

/** Walks an OCI index (nested indexes included) to the linux/amd64 image manifests and their names. */
function fromOciLayout(dir: string): LoadedImage[] {
  const out: LoadedImage[] = [];
  const visit = (descriptor: Descriptor, name: string | undefined): void => {
    const manifest = readJsonFile<AnyManifest>(blobFile(dir, descriptor.digest));
    if (isIndex(manifest, descriptor.mediaType)) {
      const platformOk = (d: Descriptor) => !d.platform || (d.platform.os === 'linux' && d.platform.architecture === 'amd64');
      const chosen = manifest.manifests.find(platformOk);
      if (chosen) visit(chosen, name);
      return;
    }
    out.push({
      configFile: blobFile(dir, manifest.config.digest),
      layerFiles: manifest.layers.map((l) => blobFile(dir, l.digest)),
      names: name ? [name] : [],
    });
  };
  const index = readJsonFile<ImageIndex>(path.join(dir, 'index.json'));
  for (const d of index.manifests ?? []) {
    const full = d.annotations?.['io.containerd.image.name'];
    const refName = d.annotations?.['org.opencontainers.image.ref.name'];
    // A ref.name that is a whole reference (skopeo's `oci:DIR:name:tag`) names the image; a bare tag does not.
    let name = full;
    if (!name && refName && /[:/]/.test(refName)) name = refName;
    visit(d, name);
  }
  return out;
}

/** Adds a file to the content store under its digest (copied, since the unpacked archive goes away). */
async function storeBlob(engine: Engine, file: string): Promise<string> {
  const digest = await sha256Of(file);
  if (!engine.content.has(digest)) {
    const tmp = engine.content.tempPath();
    fs.copyFileSync(file, tmp);
    engine.content.adopt(tmp, digest);
  }
  return digest;
}

/** Loads every image of an archive (a file path or a stream); returns docker's `Loaded image…` lines. */
export async function loadArchive(engine: Engine, input: string | Readable): Promise<string[]> {
  fs.mkdirSync(engine.paths.tmp, { recursive: true });
  const dir = fs.mkdtempSync(path.join(engine.paths.tmp, 'load-'));
  try {
    const source = typeof input === 'string' ? path.resolve(input) : '-';
    await tar(['-x', '--no-same-owner', '-C', dir, '-f', source], { input: typeof input === 'string' ? undefined : input }, 'unrecognized image archive');
    let images: LoadedImage[];
    if (fs.existsSync(path.join(dir, 'manifest.json'))) images = fromDockerArchive(dir);
    else if (fs.existsSync(path.join(dir, 'index.json')) && fs.existsSync(path.join(dir, 'oci-layout'))) images = fromOciLayout(dir);
    else throw new ArchiveError('open manifest.json: no such file or directory: not a docker archive or an OCI image layout');
    const lines: string[] = [];
    for (const img of images) {
      const configBytes = fs.readFileSync(img.configFile);
      const layers: string[] = [];
      for (const f of img.layerFiles) layers.push(await storeBlob(engine, f));
      const tags = img.names.map((n) => canonical(parseReference(n)));
      const stored = await engine.images.add(configBytes, layers, { tags, source: 'loaded' });
      if (tags.length === 0) lines.push(`Loaded image ID: ${stored.id}`);
      for (const t of tags) lines.push(`Loaded image: ${familiarName(t)}`);
    }
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
