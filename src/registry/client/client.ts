// A client for one registry host speaking the OCI distribution API: it answers 401 challenges with
// basic auth or a bearer token from the challenge's realm (cached per scope), follows redirects,
// verifies every digest it downloads, and reports the spec's errors as RegistryError.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { defaultTrust } from './trust.js';
import { MANIFEST_MEDIA_TYPES, type RegistryErrorBody } from '../types.js';
import type { Credentials } from './config.js';

/** SKIFF_OFFLINE=1 (set by the test runner) keeps every registry request on this machine. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/**
 * The registry could not be asked at all (no route, no name, refused, timed out, or SKIFF_OFFLINE): unlike
 * a RegistryError, the registry said nothing about the image, so a copy already on the machine may stand.
 */
export class RegistryUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnreachableError';
  }
}

/** Where blobs land on pull and come from on push; the engine's content store has this shape. */
export interface BlobStore {
  has(digest: string): boolean;
  path(digest: string): string;
  tempPath(): string;
  adopt(file: string, digest: string): void;
}

export interface RegistryClientOptions {
  /** host[:port] as in image references, e.g. 127.0.0.1:5000. */
  host: string;
  /** Plain HTTP allowed (and TLS not verified). */
  insecure: boolean;
  credentials?: Credentials;
  /** Overrides the scheme+host the API is reached at (mirrors: http://127.0.0.1:5001). */
  baseUrl?: string;
}

type Body = Buffer | (() => Readable) | undefined;

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge | undefined {
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]))) params[p[1].toLowerCase()] = (p[2] ?? p[3]).replace(/\\(.)/g, '$1');
  return { scheme: m[1].toLowerCase(), params };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function errorFrom(status: number, body: Buffer, what: string): RegistryError {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    const first = parsed.errors?.[0];
    if (first) {
      const code = first.code.toLowerCase().replace(/_/g, ' ');
      return new RegistryError(`${code}: ${first.message}`, status, first.code);
    }
  } catch {
    // not a spec error body: fall through to the status line
  }
  if (status === 401) return new RegistryError('unauthorized: authentication required', status, 'UNAUTHORIZED');
  return new RegistryError(`${what}: unexpected status ${status}${body.length ? `: ${body.toString('utf8').slice(0, 200)}` : ''}`, status);
}

export class RegistryClient {
  readonly host: string;
  private base?: string;
  private readonly insecure: boolean;
  private readonly credentials?: Credentials;
  /** Authorization header per scope (bearer) or for every request (basic). */
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(options: RegistryClientOptions) {
    this.host = options.host;
    this.insecure = options.insecure;
    this.credentials = options.credentials;
    this.base = options.baseUrl;
  }

  /** https first; for insecure registries fall back to plain http if TLS cannot be spoken. */
  private async baseUrl(): Promise<string> {
    if (this.base) return this.base;
    const secure = `https://${this.host}`;
    if (!this.insecure) return (this.base = secure);
    try {
      const res = await this.raw('GET', `${secure}/v2/`, {}, undefined);
      res.body.resume();
      this.base = secure;
    } catch {
      this.base = `http://${this.host}`;
    }
    return this.base;
  }

  private raw(method: string, url: string, headers: Record<string, string>, body: Body): Promise<Response> {
    const u = new URL(url);
    if (process.env.SKIFF_OFFLINE === '1' && !isLoopbackHost(u.hostname)) {
      return Promise.reject(new RegistryUnreachableError(`registry ${u.host} not contacted: SKIFF_OFFLINE=1 allows only loopback registries`));
    }
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const tlsTrust = u.protocol === 'https:' ? { ca: defaultTrust() } : {};
      const req = mod.request(u, { method, headers: { 'User-Agent': 'skiff', ...headers }, rejectUnauthorized: !this.insecure, timeout: 60_000, ...tlsTrust }, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.on('timeout', () => req.destroy(new RegistryUnreachableError(`${method} ${url}: timed out`)));
      // Errors before any response are the network's (ENOTFOUND, ECONNREFUSED, EHOSTUNREACH…).
      req.on('error', (err) => reject(err instanceof RegistryUnreachableError ? err : new RegistryUnreachableError(`${method} ${url}: ${err.message}`)));
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        const stream = body();
        stream.on('error', (err) => req.destroy(err));
        stream.pipe(req);
      }
    });
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError('bearer challenge without realm', 401);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = {};
    if (this.credentials) {
      headers.Authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    }
    const res = await this.raw('GET', url.toString(), headers, undefined);
    const data = await readAll(res.body);
    if (res.status !== 200) throw errorFrom(res.status, data, 'fetching token');
    const json = JSON.parse(data.toString('utf8')) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new RegistryError('token response without a token', 401);
    return token;
  }

  /** One API request, answering at most one auth challenge; the body factory lets it be re-sent. */
  async request(method: string, pathOrUrl: string, scope: string, headers: Record<string, string> = {}, body?: Body): Promise<Response> {
    const base = await this.baseUrl();
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${base}${pathOrUrl}`;
    const auth = () => (this.basic ? this.tokens.get('') : this.tokens.get(scope));
    const send = (): Promise<Response> => {
      const a = auth();
      return this.raw(method, url, a ? { ...headers, Authorization: a } : headers, body);
    };
    let res = await send();
    if (res.status === 401) {
      const header = res.headers['www-authenticate'];
      await readAll(res.body);
      const challenge = parseChallenge(Array.isArray(header) ? header[0] : header ?? '');
      if (challenge?.scheme === 'bearer') {
        this.tokens.set(scope, `Bearer ${await this.fetchToken(challenge, scope)}`);
      } else if (challenge?.scheme === 'basic' && this.credentials) {
        this.basic = true;
        this.tokens.set('', `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`);
      } else {
        throw new RegistryError('unauthorized: authentication required', 401, 'UNAUTHORIZED');
      }
      res = await send();
    }
    if (res.status >= 300 && res.status < 400 && res.headers.location && (method === 'GET' || method === 'HEAD')) {
      res.body.resume();
      return this.raw(method, new URL(res.headers.location, url).toString(), {}, undefined);
    }
    return res;
  }

  private async expect(res: Response, ok: number[], what: string): Promise<Buffer> {
    const data = await readAll(res.body);
    if (!ok.includes(res.status)) throw errorFrom(res.status, data, what);
    return data;
  }

  /** `GET /v2/`: checks reachability and credentials (what `login` does). */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', 'registry:catalog:*');
    await this.expect(res, [200], 'GET /v2/');
  }

  async getManifest(repo: string, reference: string): Promise<{ body: Buffer; mediaType: string; digest: string }> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, `repository:${repo}:pull`, {
      Accept: MANIFEST_MEDIA_TYPES.join(', '),
    });
    const body = await this.expect(res, [200], `manifest for ${repo}:${reference}`);
    const digest = `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new RegistryError(`manifest verification failed for digest ${reference}`, 0, 'DIGEST_INVALID');
    }
    const contentType = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    let mediaType = contentType;
    try {
      mediaType = (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ?? contentType;
    } catch {
      throw new RegistryError(`invalid manifest for ${repo}:${reference}`, 0, 'MANIFEST_INVALID');
    }
    return { body, mediaType, digest };
  }

  /** Size of a blob in the repository, or undefined when the registry lacks it. */
  async blobSize(repo: string, digest: string): Promise<number | undefined> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, `repository:${repo}:pull`);
    res.body.resume();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw errorFrom(res.status, Buffer.alloc(0), `HEAD blob ${digest}`);
    return Number(res.headers['content-length'] ?? 0);
  }

  /** Downloads a blob into the store, verifying its digest; `progress` receives byte counts. */
  async fetchBlob(repo: string, digest: string, store: BlobStore, progress?: (bytes: number) => void): Promise<void> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, `repository:${repo}:pull`);
    if (res.status !== 200) throw errorFrom(res.status, await readAll(res.body), `blob ${digest}`);
    const tmp = store.tempPath();
    const hash = crypto.createHash('sha256');
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        progress?.(chunk.length);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(res.body, meter, fs.createWriteStream(tmp));
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) throw new RegistryError(`filesystem layer verification failed for digest ${digest}`, 0, 'DIGEST_INVALID');
      store.adopt(tmp, digest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Cross-repository mount; true when the registry linked the blob without an upload. */
  async mountBlob(repo: string, digest: string, from: string): Promise<boolean> {
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      `repository:${repo}:pull,push repository:${from}:pull`, { 'Content-Length': '0' }, Buffer.alloc(0));
    await this.expect(res, [201, 202], `mount ${digest}`);
    if (res.status === 201) return true;
    // The registry opened a normal upload instead: cancel it, the caller uploads the blob itself.
    const location = res.headers.location;
    if (location) await this.request('DELETE', new URL(location, await this.baseUrl()).toString(), `repository:${repo}:pull,push`).then((r) => r.body.resume());
    return false;
  }

  /**
   * Uploads a file as a blob: POST to open the session, then one PUT with the whole body (monolithic),
   * or PATCH chunks of `chunkSize` bytes followed by the closing PUT (chunked).
   */
  async pushBlob(repo: string, digest: string, file: string, options: { chunkSize?: number } = {}): Promise<void> {
    const scope = `repository:${repo}:pull,push`;
    const size = fs.statSync(file).size;
    const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`, scope, { 'Content-Length': '0' }, Buffer.alloc(0));
    await this.expect(start, [202], `start upload of ${digest}`);
    let location = new URL(String(start.headers.location), await this.baseUrl());
    if (options.chunkSize && size > 0) {
      for (let offset = 0; offset < size; offset += options.chunkSize) {
        const end = Math.min(size, offset + options.chunkSize) - 1;
        const res = await this.request('PATCH', location.toString(), scope, {
          'Content-Type': 'application/octet-stream', 'Content-Length': String(end - offset + 1), 'Content-Range': `${offset}-${end}`,
        }, () => fs.createReadStream(file, { start: offset, end }));
        await this.expect(res, [202], `upload chunk of ${digest}`);
        location = new URL(String(res.headers.location), location);
      }
      location.searchParams.set('digest', digest);
      const done = await this.request('PUT', location.toString(), scope, { 'Content-Length': '0' }, Buffer.alloc(0));
      await this.expect(done, [201], `finish upload of ${digest}`);
      return;
    }
    location.searchParams.set('digest', digest);
    const res = await this.request('PUT', location.toString(), scope, {
      'Content-Type': 'application/octet-stream', 'Content-Length': String(size),
    }, () => fs.createReadStream(file));
    await this.expect(res, [201], `upload of ${digest}`);
  }

  async putManifest(repo: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, `repository:${repo}:pull,push`, {
      'Content-Type': mediaType, 'Content-Length': String(body.length),
    }, body);
    await this.expect(res, [200, 201, 202], `manifest ${repo}:${reference}`);
    return String(res.headers['docker-content-digest'] ?? `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`);
  }

  async tags(repo: string): Promise<string[]> {
    const res = await this.request('GET', `/v2/${repo}/tags/list`, `repository:${repo}:pull`);
    const body = await this.expect(res, [200], `tags of ${repo}`);
    return (JSON.parse(body.toString('utf8')) as { tags?: string[] | null }).tags ?? [];
  }

  /** Every repository in the catalog, following `Link: rel="next"` pages. */
  async catalog(pageSize = 100): Promise<string[]> {
    const out: string[] = [];
    let next: string | undefined = `/v2/_catalog?n=${pageSize}`;
    while (next) {
      const res = await this.request('GET', next, 'registry:catalog:*');
      const body = await this.expect(res, [200], 'catalog');
      out.push(...((JSON.parse(body.toString('utf8')) as { repositories?: string[] }).repositories ?? []));
      const link = String(res.headers.link ?? '');
      next = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
    }
    return out;
  }
}
