// Raw HTTPS requests to a test server as the admin (client certificate from its kubeconfig) or
// anonymously, for tests that check the wire: status codes, headers, malformed bodies, streams.
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import YAML from 'yaml';

export interface Credentials {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

/** The server URL, CA and admin client certificate of a kubeconfig written by `skiff server`. */
export function credentialsFrom(kubeconfig: string): Credentials {
  const cfg = YAML.parse(fs.readFileSync(kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
    users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
  };
  const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  return {
    server: cfg.clusters[0].cluster.server,
    ca: b64(cfg.clusters[0].cluster['certificate-authority-data']),
    cert: b64(cfg.users[0].user['client-certificate-data']),
    key: b64(cfg.users[0].user['client-key-data']),
  };
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** body parsed as JSON (undefined when it is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  body?: string | Buffer | object;
  headers?: Record<string, string>;
  /** Keep-alive agent to reuse (benchmarks); default: a fresh connection. */
  agent?: https.Agent;
}

export function request(creds: Credentials, method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const url = new URL(path, creds.server);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
  // Node sends DELETE bodies without framing unless told their length.
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: creds.ca, cert: creds.cert, key: creds.key, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface EventStream {
  /** Events received so far ({type, object}). */
  events: Array<{ type: string; object: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  /** Resolves when `n` events have arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch (newline-delimited JSON events) and collects its events. */
export function watch(creds: Credentials, path: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const url = new URL(path, creds.server);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'GET', headers: { Accept: 'application/json', ...headers }, ca: creds.ca, cert: creds.cert, key: creds.key, agent: false }, (res) => {
      const events: EventStream['events'] = [];
      const waiters: Array<{ n: number; resolve: () => void }> = [];
      let buffer = '';
      let endResolve: () => void = () => undefined;
      const ended = new Promise<void>((r) => (endResolve = r));
      res.on('data', (c: Buffer) => {
        buffer += c.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        for (const w of [...waiters]) if (events.length >= w.n) w.resolve();
      });
      res.on('end', () => endResolve());
      res.on('close', () => endResolve());
      resolve({
        events,
        status: res.statusCode ?? 0,
        ended,
        waitFor: (n, timeoutMs = 10_000) =>
          events.length >= n
            ? Promise.resolve()
            : new Promise((ok, fail) => {
                const t = setTimeout(() => fail(new Error(`only ${events.length} of ${n} events: ${JSON.stringify(events.map((e) => e.type))}`)), timeoutMs);
                waiters.push({ n, resolve: () => (clearTimeout(t), ok()) });
              }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
