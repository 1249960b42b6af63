// A tiny in-memory API server for the client library's tests: list, watch (with history and 410 once
// compacted), create, update (resourceVersion-guarded), merge patch, delete, in Kubernetes' wire shapes.
// It is not skiff's API server; it lets the client be tested without one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { alreadyExists, conflict, notFound, OBJECT_MODIFIED, type KubeObject, type StatusError } from '../../src/api/index.js';

interface Stored {
  collection: string;
  obj: KubeObject;
}

interface HistoryEvent {
  rv: number;
  collection: string;
  namespace?: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: KubeObject;
}

export interface FakeRequest {
  method: string;
  url: string;
  body: string;
}

export class FakeApiServer {
  readonly requests: FakeRequest[] = [];
  private readonly objects = new Map<string, Stored>();
  private readonly history: HistoryEvent[] = [];
  private compactedRv = 0;
  private rv = 100;
  private readonly watchers = new Set<{ collection: string; namespace?: string; res: http.ServerResponse }>();
  private server!: http.Server;
  url = '';
  /** When set, answers every request with this status (to test error handling). */
  failWith?: { code: number; body: string };

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Ends every open watch stream, as a server's watch timeout does. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Forgets history so watches from older resourceVersions get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
  }

  /** Writes directly, as another client would. */
  put(collection: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED' = 'ADDED'): KubeObject {
    const stored = this.store(collection, obj);
    this.emit(collection, type, stored);
    return stored;
  }

  remove(collection: string, namespace: string | undefined, name: string): void {
    const key = `${collection}|${namespace ?? ''}|${name}`;
    const entry = this.objects.get(key);
    if (!entry) return;
    this.objects.delete(key);
    const obj = { ...entry.obj, metadata: { ...entry.obj.metadata, resourceVersion: String(++this.rv) } };
    this.emit(collection, 'DELETED', obj);
  }

  get(collection: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(`${collection}|${namespace ?? ''}|${name}`)?.obj;
  }

  list(collection: string): KubeObject[] {
    return [...this.objects.values()].filter((s) => s.collection === collection).map((s) => s.obj);
  }

  private store(collection: string, obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= `uid-${this.rv}`;
    this.objects.set(`${collection}|${stored.metadata.namespace ?? ''}|${stored.metadata.name}`, { collection, obj: stored });
    return stored;
  }

  private emit(collection: string, type: HistoryEvent['type'], obj: KubeObject): void {
    const event: HistoryEvent = { rv: Number(obj.metadata.resourceVersion), collection, namespace: obj.metadata.namespace, type, obj };
    this.history.push(event);
    for (const w of this.watchers) {
      if (w.collection === collection && (!w.namespace || w.namespace === event.namespace)) w.res.write(JSON.stringify({ type, object: obj }) + '\n');
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      this.requests.push({ method: req.method!, url: req.url!, body });
      if (this.failWith) return this.send(res, this.failWith.code, this.failWith.body);
      try {
        this.route(req, res, body);
      } catch (err) {
        const e = err as StatusError;
        this.send(res, e.code ?? 500, JSON.stringify(e.toStatus ? e.toStatus() : { message: String(err) }));
      }
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url!, 'http://x');
    // /api/v1[/namespaces/ns]/res[/name[/sub]] or /apis/g/v/...
    const parts = url.pathname.split('/').filter(Boolean);
    const prefix = parts[0] === 'api' ? parts.splice(0, 2) : parts.splice(0, 3);
    let namespace: string | undefined;
    if (parts[0] === 'namespaces' && parts.length >= 3) {
      namespace = parts[1];
      parts.splice(0, 2);
    }
    const [resource, name, sub] = parts;
    const collection = `${prefix.join('/')}/${resource}`;
    const key = `${collection}|${namespace ?? ''}|${name}`;
    const method = req.method!;
    if (method === 'GET' && !name && url.searchParams.get('watch') === 'true') return this.watch(res, collection, namespace, Number(url.searchParams.get('resourceVersion') || 0));
    if (method === 'GET' && !name) {
      const items = [...this.objects.values()].filter((s) => s.collection === collection && (!namespace || s.obj.metadata.namespace === namespace)).map((s) => s.obj);
      return this.send(res, 200, JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items }));
    }
    const existing = name ? this.objects.get(key) : undefined;
    if (method === 'GET') {
      if (!existing) throw notFound(resource, '', name);
      return this.send(res, 200, JSON.stringify(existing.obj));
    }
    if (method === 'POST' && !name) {
      const obj = JSON.parse(body) as KubeObject;
      obj.metadata.namespace = namespace;
      if (this.objects.has(`${collection}|${namespace ?? ''}|${obj.metadata.name}`)) throw alreadyExists(resource, '', String(obj.metadata.name));
      obj.metadata.creationTimestamp = new Date().toISOString();
      return this.send(res, 201, JSON.stringify(this.put(collection, obj)));
    }
    if (method === 'POST' && sub) return this.send(res, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
    if (!existing) throw notFound(resource, '', name);
    if (method === 'PUT') {
      const obj = JSON.parse(body) as KubeObject;
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== existing.obj.metadata.resourceVersion) throw conflict(resource, '', name, OBJECT_MODIFIED);
      obj.metadata.namespace = namespace;
      return this.send(res, 200, JSON.stringify(this.put(collection, obj, 'MODIFIED')));
    }
    if (method === 'PATCH') {
      const merged = mergePatch(existing.obj, JSON.parse(body)) as KubeObject;
      return this.send(res, 200, JSON.stringify(this.put(collection, merged, 'MODIFIED')));
    }
    if (method === 'DELETE') {
      this.remove(collection, namespace, name);
      return this.send(res, 200, JSON.stringify(existing.obj));
    }
    this.send(res, 405, '');
  }

  private watch(res: http.ServerResponse, collection: string, namespace: string | undefined, fromRv: number): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    if (fromRv && fromRv < this.compactedRv) {
      const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${fromRv} (${this.compactedRv})`, reason: 'Expired', code: 410 };
      res.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
      return;
    }
    for (const e of this.history) {
      if (e.rv > fromRv && e.collection === collection && (!namespace || e.namespace === namespace)) res.write(JSON.stringify({ type: e.type, object: e.obj }) + '\n');
    }
    const watcher = { collection, namespace, res };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }

  private send(res: http.ServerResponse, code: number, body: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(body);
  }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
