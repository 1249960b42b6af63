// Test support: a throw-away plain-HTTP API server on 127.0.0.1 that answers discovery and the
// OpenAPI documents from skiff's own data, records every request, and lets a test answer the rest.
// It lets the real kubectl be run against the schema and protobuf code without the whole API server.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { allResources, apiGroups, resourcesIn, subresourcesOf } from '../registry.js';
import { apiVersionOf } from '../object.js';
import { openapiV3GroupVersion, openapiV3Paths } from './documents.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FakeOptions {
  /** Answer /openapi/v3 with 404, as servers without v3 do: kubectl then validates against v2 itself. */
  withoutV3?: boolean;
}

/** Answers a request the fake does not serve itself; return false to get a 404 Status. */
export type Handler = (req: RecordedRequest, res: ServerResponse) => boolean;

export interface FakeApiServer {
  url: string;
  /** A directory with a kubeconfig for this server and kubectl's cache dir. */
  dir: string;
  requests: RecordedRequest[];
  kubectl(version: string, args: string[], files?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function resourceList(group: string, version: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(group, version),
    resources: resourcesIn(group, version).flatMap((r) => [
      {
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        shortNames: r.shortNames.length ? r.shortNames : undefined,
        categories: r.categories.length ? r.categories : undefined,
      },
      ...subresourcesOf(r).map((sub) => ({ name: `${r.resource}/${sub.subresource}`, singularName: '', namespaced: r.namespaced, group: sub.group, version: sub.version, kind: sub.kind, verbs: sub.verbs })),
    ]),
  };
}

function serveBuiltIn(req: RecordedRequest, res: ServerResponse, v2: () => Buffer, options: FakeOptions): boolean {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'] }), true;
  if (p === '/apis') {
    const groups = apiGroups()
      .filter((g) => g.name)
      .map((g) => ({
        name: g.name,
        versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${g.name}/${g.preferredVersion}`, version: g.preferredVersion },
      }));
    return json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups }), true;
  }
  if (p === '/api/v1' && req.method === 'GET') return json(res, 200, resourceList('', 'v1')), true;
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (gv && req.method === 'GET' && allResources().some((r) => r.group === gv[1] && r.version === gv[2])) return json(res, 200, resourceList(gv[1]!, gv[2]!)), true;
  if (p === '/openapi/v2') {
    res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' });
    res.end(v2());
    return true;
  }
  if (p.startsWith('/openapi/v3') && options.withoutV3) return false;
  if (p === '/openapi/v3') return json(res, 200, openapiV3Paths()), true;
  if (p.startsWith('/openapi/v3/')) {
    const doc = openapiV3GroupVersion(p.slice('/openapi/v3/'.length));
    if (!doc) return false;
    res.writeHead(200, { 'Content-Type': 'application/json', Etag: `"${doc.hash}"` });
    res.end(doc.body);
    return true;
  }
  return false;
}

export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}

export interface StoreOptions {
  /** Turns a POSTed body into an object; JSON by default. */
  decode?: (req: RecordedRequest) => StoredObject;
  /** A failure Status to answer instead of storing, e.g. for strict field validation. */
  refuse?: (obj: StoredObject, url: URL) => { code: number } | undefined;
}

/**
 * A handler that stores POSTed objects under their path and answers GET (and PATCH, unchanged) of
 * them, so commands that read before they write (`apply`, `create job --from`) can run.
 */
export function storeHandler(options: StoreOptions = {}): Handler {
  const objects = new Map<string, StoredObject>();
  return (req, res) => {
    const url = new URL(req.url, 'http://x');
    const existing = objects.get(url.pathname);
    if ((req.method === 'GET' || req.method === 'PATCH') && existing) return json(res, 200, existing), true;
    if (req.method !== 'POST') return false;
    const obj = options.decode ? options.decode(req) : (JSON.parse(req.body.toString()) as StoredObject);
    const refusal = options.refuse?.(obj, url);
    if (refusal) return json(res, refusal.code, refusal), true;
    objects.set(`${url.pathname}/${obj.metadata?.name ?? ''}`, obj);
    return json(res, 201, obj), true;
  };
}

/**
 * Starts the fake on a free port. `v2` supplies the /openapi/v2 body (the protobuf encoder lives in
 * src/api/protobuf, which depends on this folder, so the caller passes it in).
 */
export async function startFakeApiServer(v2: () => Buffer, handler: Handler = () => false, options: FakeOptions = {}): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      try {
        if (serveBuiltIn(recorded, res, v2, options) || handler(recorded, res)) return;
        json(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
      } catch (err) {
        json(res, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(err), reason: 'InternalError', code: 500 });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'skiff-openapi-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: default\ncurrent-context: fake\nusers:\n- name: fake\n  user: {}\n`,
  );
  return {
    url,
    dir,
    requests,
    kubectl(version, args, files = {}) {
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
      return new Promise((resolve) => {
        execFile(
          `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`,
          [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(dir, `cache-${version}`)}`, ...args],
          { cwd: dir, timeout: 60_000, env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig } },
          (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
