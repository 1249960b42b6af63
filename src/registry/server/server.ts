// The OCI distribution API over HTTP: API check, blobs (HEAD/GET/DELETE), uploads (monolithic POST,
// chunked PATCH, PUT to finish, cross-repository mount), manifests by tag or digest, tags list and
// catalog with pagination, optional basic auth. Errors use the spec's `{"errors":[…]}` body.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { RegistryStorage } from './storage.js';
import { Htpasswd } from './htpasswd.js';
import {
  DIGEST_RE, ERROR_CODES, MANIFEST_MEDIA_TYPES, MEDIA_TYPES, NAME_RE, TAG_RE, sha256Digest, isIndex,
  type AnyManifest, type ErrorCode,
} from '../types.js';

export interface RegistryServerOptions {
  root: string;
  /** htpasswd file with bcrypt entries; when set every request needs basic auth. */
  htpasswd?: string;
  /** Realm for the WWW-Authenticate challenge. */
  realm?: string;
  /** PEM certificate and key files: serve HTTPS (what clients need for a non-loopback registry). */
  tls?: { cert: string; key: string };
}

class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: unknown,
    message?: string,
  ) {
    super(message ?? ERROR_CODES[code][1]);
  }
}

type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; uuid: string };

/** Splits a /v2/ path; the repository name may itself contain slashes, so match from the right. */
export function route(pathname: string): Route | undefined {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'base' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog' };
  let m = /^\/v2\/(.+)\/tags\/list$/.exec(pathname);
  if (m) return { kind: 'tags', name: m[1] };
  m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname);
  if (m) return { kind: 'manifest', name: m[1], reference: decodeURIComponent(m[2]) };
  m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(pathname);
  if (m) return { kind: 'uploads', name: m[1] };
  m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(pathname);
  if (m) return { kind: 'upload', name: m[1], uuid: m[2] };
  m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname);
  if (m) return { kind: 'blob', name: m[1], digest: decodeURIComponent(m[2]) };
  return undefined;
}

function readBody(req: http.IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new ApiError('MANIFEST_INVALID', undefined, 'manifest too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function paginate(items: string[], url: URL): { page: string[]; next?: string } {
  const nRaw = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  let rest = last ? items.filter((i) => i > last) : items;
  if (nRaw === null) return { page: rest };
  if (!/^\d+$/.test(nRaw)) throw new ApiError('PAGINATION_NUMBER_INVALID', { n: nRaw });
  const n = Number(nRaw);
  const page = rest.slice(0, n);
  rest = rest.slice(n);
  if (rest.length === 0 || page.length === 0) return { page };
  const next = new URL(url.pathname, 'http://x');
  next.searchParams.set('last', page[page.length - 1]);
  next.searchParams.set('n', String(n));
  return { page, next: `<${next.pathname}${next.search}>; rel="next"` };
}

export class RegistryServer {
  readonly storage: RegistryStorage;
  private readonly auth?: Htpasswd;
  private readonly server: http.Server;
  private readonly realm: string;

  constructor(options: RegistryServerOptions) {
    fs.mkdirSync(options.root, { recursive: true });
    this.storage = new RegistryStorage(options.root);
    this.auth = options.htpasswd ? Htpasswd.load(options.htpasswd) : undefined;
    this.realm = options.realm ?? 'Registry Realm';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    };
    this.server = options.tls
      ? https.createServer({ cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) }, handler)
      : http.createServer(handler);
  }

  /** Listens on host:port (port 0 = any free port) and returns the bound address. */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    const apiErr = err instanceof ApiError ? err : undefined;
    if (!apiErr) process.stderr.write(`registry: ${err instanceof Error ? err.stack : String(err)}\n`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = apiErr ? ERROR_CODES[apiErr.code][0] : 500;
    const body = apiErr
      ? { errors: [{ code: apiErr.code, message: apiErr.message, detail: apiErr.detail }] }
      : { errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: String(err) }] };
    if (status === 401) res.setHeader('WWW-Authenticate', `Basic realm="${this.realm}"`);
    this.json(res, status, body);
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, ...headers });
    res.end(data);
  }

  private empty(res: http.ServerResponse, status: number, headers: Record<string, string | number>): void {
    res.writeHead(status, { 'Content-Length': 0, ...headers });
    res.end();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const url = new URL(req.url ?? '/', 'http://registry');
    const r = route(url.pathname);
    if (this.auth && !(await this.auth.checkHeader(req.headers.authorization))) {
      req.resume();
      throw new ApiError('UNAUTHORIZED');
    }
    if (!r) {
      req.resume();
      this.json(res, 404, { errors: [{ code: 'UNSUPPORTED', message: 'page not found' }] });
      return;
    }
    if ('name' in r && !NAME_RE.test(r.name)) throw new ApiError('NAME_INVALID', { name: r.name });
    const method = req.method ?? 'GET';
    switch (r.kind) {
      case 'base':
        return this.json(res, 200, {});
      case 'catalog': {
        if (method !== 'GET') throw new ApiError('UNSUPPORTED');
        const { page, next } = paginate(await this.storage.repositories(), url);
        return this.json(res, 200, { repositories: page }, next ? { Link: next } : {});
      }
      case 'tags': {
        if (method !== 'GET') throw new ApiError('UNSUPPORTED');
        if (!(await this.storage.repositoryExists(r.name))) throw new ApiError('NAME_UNKNOWN', { name: r.name });
        const { page, next } = paginate(await this.storage.tags(r.name), url);
        return this.json(res, 200, { name: r.name, tags: page }, next ? { Link: next } : {});
      }
      case 'blob':
        return this.blob(req, res, method, r.name, r.digest);
      case 'uploads':
        return this.startUpload(req, res, method, r.name, url);
      case 'upload':
        return this.upload(req, res, method, r.name, r.uuid, url);
      case 'manifest':
        return this.manifest(req, res, method, r.name, r.reference);
    }
  }

  private async blob(req: http.IncomingMessage, res: http.ServerResponse, method: string, name: string, digest: string): Promise<void> {
    if (!DIGEST_RE.test(digest)) throw new ApiError('DIGEST_INVALID', { digest });
    if (method === 'DELETE') {
      if (!(await this.storage.deleteBlobLink(name, digest))) throw new ApiError('BLOB_UNKNOWN', { digest });
      return this.empty(res, 202, { 'Docker-Content-Digest': digest });
    }
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError('UNSUPPORTED');
    const size = await this.storage.blobSize(name, digest);
    if (size === undefined) throw new ApiError('BLOB_UNKNOWN', { digest });
    const headers = {
      'Content-Length': size, 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest,
      ETag: `"${digest}"`, 'Cache-Control': 'max-age=31536000',
    };
    if (method === 'HEAD') return this.empty(res, 200, headers);
    res.writeHead(200, headers);
    const stream = fs.createReadStream(this.storage.blobFile(digest));
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    req.resume();
  }

  private uploadHeaders(name: string, uuid: string, size: number): Record<string, string | number> {
    return {
      Location: `/v2/${name}/blobs/uploads/${uuid}`,
      Range: `0-${Math.max(0, size - 1)}`,
      'Docker-Upload-UUID': uuid,
    };
  }

  private async startUpload(req: http.IncomingMessage, res: http.ServerResponse, method: string, name: string, url: URL): Promise<void> {
    if (method !== 'POST') throw new ApiError('UNSUPPORTED');
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount && from && DIGEST_RE.test(mount) && NAME_RE.test(from)) {
      if (await this.storage.mountBlob(name, mount, from)) {
        req.resume();
        return this.empty(res, 201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount });
      }
    }
    const uuid = await this.storage.startUpload(name);
    const digest = url.searchParams.get('digest');
    if (digest) {
      await this.storage.appendUpload(uuid, req);
      return this.finish(res, name, uuid, digest);
    }
    req.resume();
    return this.empty(res, 202, this.uploadHeaders(name, uuid, 0));
  }

  private async finish(res: http.ServerResponse, name: string, uuid: string, digest: string): Promise<void> {
    if (!DIGEST_RE.test(digest)) {
      await this.storage.cancelUpload(uuid);
      throw new ApiError('DIGEST_INVALID', { digest });
    }
    if (!(await this.storage.finishUpload(name, uuid, digest))) {
      await this.storage.cancelUpload(uuid);
      throw new ApiError('DIGEST_INVALID', { digest });
    }
    return this.empty(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
  }

  private async upload(req: http.IncomingMessage, res: http.ServerResponse, method: string, name: string, uuid: string, url: URL): Promise<void> {
    const size = await this.storage.uploadSize(name, uuid);
    if (size === undefined) {
      req.resume();
      throw new ApiError('BLOB_UPLOAD_UNKNOWN', { uuid });
    }
    switch (method) {
      case 'GET':
        return this.empty(res, 204, this.uploadHeaders(name, uuid, size));
      case 'DELETE':
        await this.storage.cancelUpload(uuid);
        return this.empty(res, 204, {});
      case 'PATCH': {
        const range = req.headers['content-range'];
        if (range) {
          const m = /^(\d+)-(\d+)$/.exec(String(range));
          if (!m || Number(m[1]) !== size) {
            req.resume();
            throw new ApiError('RANGE_INVALID', { expected: size, got: range });
          }
        }
        const newSize = await this.storage.appendUpload(uuid, req);
        return this.empty(res, 202, this.uploadHeaders(name, uuid, newSize));
      }
      case 'PUT': {
        const digest = url.searchParams.get('digest');
        if (!digest) {
          req.resume();
          throw new ApiError('DIGEST_INVALID', undefined, 'digest missing from request');
        }
        await this.storage.appendUpload(uuid, req);
        return this.finish(res, name, uuid, digest);
      }
      default:
        throw new ApiError('UNSUPPORTED');
    }
  }

  private async resolve(name: string, reference: string): Promise<string> {
    if (DIGEST_RE.test(reference)) return reference;
    if (!TAG_RE.test(reference)) throw new ApiError('TAG_INVALID', { tag: reference });
    const digest = await this.storage.resolveTag(name, reference);
    if (!digest) throw new ApiError('MANIFEST_UNKNOWN', { tag: reference });
    return digest;
  }

  private async manifest(req: http.IncomingMessage, res: http.ServerResponse, method: string, name: string, reference: string): Promise<void> {
    switch (method) {
      case 'GET':
      case 'HEAD': {
        req.resume();
        const digest = await this.resolve(name, reference);
        const m = await this.storage.getManifest(name, digest);
        if (!m) throw new ApiError('MANIFEST_UNKNOWN', { digest });
        const headers = { 'Content-Type': m.mediaType, 'Content-Length': m.body.length, 'Docker-Content-Digest': digest, ETag: `"${digest}"` };
        if (method === 'HEAD') return this.empty(res, 200, headers);
        res.writeHead(200, headers);
        res.end(m.body);
        return;
      }
      case 'PUT':
        return this.putManifest(req, res, name, reference);
      case 'DELETE': {
        req.resume();
        if (DIGEST_RE.test(reference)) {
          if (!(await this.storage.deleteManifest(name, reference))) throw new ApiError('MANIFEST_UNKNOWN', { digest: reference });
        } else if (!(await this.storage.deleteTag(name, reference))) {
          throw new ApiError('MANIFEST_UNKNOWN', { tag: reference });
        }
        return this.empty(res, 202, {});
      }
      default:
        throw new ApiError('UNSUPPORTED');
    }
  }

  private async putManifest(req: http.IncomingMessage, res: http.ServerResponse, name: string, reference: string): Promise<void> {
    const body = await readBody(req);
    let manifest: AnyManifest;
    try {
      manifest = JSON.parse(body.toString('utf8')) as AnyManifest;
    } catch (err) {
      throw new ApiError('MANIFEST_INVALID', String(err));
    }
    if (manifest?.schemaVersion !== 2) throw new ApiError('MANIFEST_INVALID', 'schemaVersion must be 2');
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim();
    const mediaType = manifest.mediaType ?? (MANIFEST_MEDIA_TYPES.includes(contentType) ? contentType : isIndex(manifest) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) throw new ApiError('MANIFEST_INVALID', `unsupported manifest media type ${mediaType}`);
    const digest = sha256Digest(body);
    const isDigestRef = DIGEST_RE.test(reference);
    if (isDigestRef && reference !== digest) throw new ApiError('DIGEST_INVALID', { expected: reference, actual: digest });
    if (!isDigestRef && !TAG_RE.test(reference)) throw new ApiError('TAG_INVALID', { tag: reference });
    if (isIndex(manifest, mediaType)) {
      if (!Array.isArray(manifest.manifests)) throw new ApiError('MANIFEST_INVALID', 'manifests missing');
      for (const d of manifest.manifests) {
        if (!(await this.storage.getManifest(name, d.digest))) throw new ApiError('MANIFEST_BLOB_UNKNOWN', { digest: d.digest }, 'manifest blob unknown to registry');
      }
    } else {
      if (!manifest.config || !Array.isArray(manifest.layers)) throw new ApiError('MANIFEST_INVALID', 'config or layers missing');
      for (const d of [manifest.config, ...manifest.layers]) {
        if (d.urls?.length) continue;
        if ((await this.storage.blobSize(name, d.digest)) === undefined) throw new ApiError('MANIFEST_BLOB_UNKNOWN', { digest: d.digest });
      }
    }
    await this.storage.putManifest(name, body, mediaType, digest, isDigestRef ? undefined : reference);
    return this.empty(res, 201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest });
  }
}
