// What the distribution API moves: descriptors, image manifests and indexes in docker schema2 and OCI
// media types, digests, repository names, and the spec's error codes. Shared by server and client.
import crypto from 'node:crypto';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex,
];

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string; 'os.version'?: string };
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type AnyManifest = ImageManifest | ImageIndex;

export function isIndex(m: AnyManifest, mediaType?: string): m is ImageIndex {
  const t = mediaType ?? m.mediaType;
  return t === MEDIA_TYPES.dockerManifestList || t === MEDIA_TYPES.ociIndex || (!('config' in m) && 'manifests' in m);
}

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
/** A repository name as the distribution spec allows it. */
export const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
export const TAG_RE = /^[\w][\w.-]{0,127}$/;

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
}

/** The distribution spec's error codes with their HTTP status and standard message. */
export const ERROR_CODES = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  TAG_INVALID: [400, 'manifest tag did not match URI'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNSUPPORTED: [405, 'The operation is unsupported.'],
  PAGINATION_NUMBER_INVALID: [400, 'invalid number of results requested'],
  RANGE_INVALID: [416, 'invalid content range'],
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface RegistryErrorBody {
  errors: Array<{ code: string; message: string; detail?: unknown }>;
}
