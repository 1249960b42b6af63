// `pull`: resolve the reference to one linux/amd64 image manifest (choosing from a manifest list or
// OCI index), download the config and the layers the store lacks (three at a time, digests verified),
// hand the result to the engine's importer, and print docker's lines along the way.
import { RegistryClient, RegistryError, type BlobStore } from './client.js';
import { clientsFor, type ClientContext, type ImageRef } from './endpoints.js';
import type { ProgressOutput } from './progress.js';
import { isIndex, MEDIA_TYPES, type AnyManifest, type Descriptor, type ImageManifest } from '../types.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export interface PulledImage {
  /** What the tag pointed at (index or manifest): the image's RepoDigest. */
  repoDigest: string;
  /** The platform image manifest chosen. */
  manifest: ImageManifest;
  manifestBytes: Buffer;
  manifestDigest: string;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  /** Layers that were already in the store before this pull. */
  existing: Set<string>;
}

export interface PullOptions extends ClientContext {
  store: BlobStore;
  progress: ProgressOutput;
  platform?: Platform;
  /** The image's name as docker shows it (busybox:latest), for the `Status:` line. */
  displayName: string;
  /** Makes the image from the downloaded blobs; answers whether it already existed unchanged. */
  importImage(image: PulledImage): Promise<{ upToDate: boolean }>;
}

/** Docker's 12-hex short form of a digest or id. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function choosePlatform(index: { manifests: Descriptor[] }, want: Platform): Descriptor {
  const candidates = index.manifests.filter((d) => d.platform?.os === want.os && d.platform.architecture === want.architecture);
  const exact = candidates.find((d) => (d.platform?.variant ?? '') === (want.variant ?? ''));
  const chosen = exact ?? candidates[0];
  if (!chosen) {
    throw new RegistryError(`no matching manifest for ${want.os}/${want.architecture} in the manifest list entries`, 0, 'MANIFEST_UNKNOWN');
  }
  return chosen;
}

async function resolveManifest(client: RegistryClient, ref: ImageRef, platform: Platform): Promise<Omit<PulledImage, 'existing'>> {
  const reference = ref.digest || ref.tag;
  const top = await client.getManifest(ref.path, reference);
  let parsed = JSON.parse(top.body.toString('utf8')) as AnyManifest;
  let { body, mediaType, digest } = top;
  if (isIndex(parsed, mediaType)) {
    const chosen = choosePlatform(parsed, platform);
    ({ body, mediaType, digest } = await client.getManifest(ref.path, chosen.digest));
    parsed = JSON.parse(body.toString('utf8')) as AnyManifest;
  }
  if (isIndex(parsed, mediaType) || !parsed.config || !Array.isArray(parsed.layers)) {
    throw new RegistryError(`unsupported manifest for ${ref.path}:${reference} (${mediaType})`, 0, 'MANIFEST_INVALID');
  }
  if (mediaType !== MEDIA_TYPES.dockerManifest && mediaType !== MEDIA_TYPES.ociManifest && mediaType) {
    throw new RegistryError(`unsupported manifest media type ${mediaType}`, 0, 'MANIFEST_INVALID');
  }
  return {
    repoDigest: top.digest, manifest: parsed, manifestBytes: body, manifestDigest: digest,
    mediaType: mediaType || MEDIA_TYPES.ociManifest, config: parsed.config, layers: parsed.layers,
  };
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function describe(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}:${ref.digest || ref.tag}`;
}

/** Rewrites registry errors into docker's pull messages. */
function pullError(err: unknown, ref: ImageRef): Error {
  if (err instanceof RegistryError) {
    if (err.code === 'MANIFEST_UNKNOWN' && err.status === 404) {
      return new RegistryError(`manifest for ${describe(ref)} not found: ${err.message}`, err.status, err.code);
    }
    if (err.code === 'NAME_UNKNOWN') return new RegistryError(`repository ${ref.domain}/${ref.path} not found: ${err.message}`, err.status, err.code);
    if (err.status === 401 || err.status === 403) {
      return new RegistryError(`pull access denied for ${ref.domain}/${ref.path}, repository does not exist or may require 'docker login': ${err.message}`, err.status, err.code);
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Pulls one image; returns the image's RepoDigest. Mirrors are tried in order and a failing endpoint
 * falls through to the next one; the last error is reported.
 */
export async function pullImage(ref: ImageRef, options: PullOptions): Promise<PulledImage> {
  const { store, progress } = options;
  const platform = options.platform ?? DEFAULT_PLATFORM;
  let lastError: unknown;
  for (const client of clientsFor(ref, options)) {
    let resolved: Omit<PulledImage, 'existing'>;
    try {
      resolved = await resolveManifest(client, ref, platform);
    } catch (err) {
      lastError = err;
      continue;
    }
    progress.line(`${ref.digest || ref.tag}: Pulling from ${ref.path}`);
    const existing = new Set(resolved.layers.filter((l) => store.has(l.digest)).map((l) => l.digest));
    for (const layer of resolved.layers) {
      progress.status(shortId(layer.digest), existing.has(layer.digest) ? 'Already exists' : 'Pulling fs layer');
    }
    if (!store.has(resolved.config.digest)) await client.fetchBlob(ref.path, resolved.config.digest, store);
    const missing = resolved.layers.filter((l, i, all) => !existing.has(l.digest) && all.findIndex((o) => o.digest === l.digest) === i);
    await pool(missing, 3, async (layer) => {
      const id = shortId(layer.digest);
      let done = 0;
      await client.fetchBlob(ref.path, layer.digest, store, (n) => {
        done += n;
        progress.progress(id, 'Downloading', done, layer.size);
      });
      progress.status(id, 'Verifying Checksum');
      progress.status(id, 'Download complete');
    });
    const image: PulledImage = { ...resolved, existing };
    const { upToDate } = await options.importImage(image);
    for (const layer of missing) progress.status(shortId(layer.digest), 'Pull complete');
    progress.line(`Digest: ${image.repoDigest}`);
    const name = options.displayName;
    progress.line(upToDate ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}`);
    return image;
  }
  throw pullError(lastError, ref);
}

