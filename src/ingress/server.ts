// The ingress data plane: HTTP and HTTPS listeners that route each request by Host and path (routes.ts)
// to a service endpoint through keep-alive upstream pools, with X-Forwarded-* headers, WebSocket
// upgrades, TLS certificates chosen by SNI, and ingress-nginx's 404 default backend.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { route, tlsSecretFor, type BackendRef, type RouteTable } from './routes.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface KeyPair {
  cert: string;
  key: string;
}

export interface IngressServerOptions {
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  table(): RouteTable;
  /** One ready endpoint of the backend's service (the caller balances), or undefined when none. */
  resolve(backend: BackendRef): Upstream | undefined;
  /** The certificate of a kubernetes.io/tls Secret "namespace/name". */
  certificate(secret: string): KeyPair | undefined;
  /** Served when no Secret matches the SNI name. */
  defaultCertificate: KeyPair;
}

export interface IngressServer {
  httpPort: number;
  httpsPort: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
/** Set by the proxy itself, so a client cannot forge them (X-Forwarded-For is appended to instead). */
const FORWARDED = new Set(['x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto']);

/**
 * The request's headers for the upstream as a flat [name, value, …] list (node's raw header form: no
 * per-request header object to build, copy and delete from), without hop-by-hop headers, plus
 * X-Forwarded-* and X-Real-IP as ingress-nginx sets them.
 */
function forwardedHeaders(req: http.IncomingMessage, scheme: 'http' | 'https'): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let prior = '';
  let host = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'host') host = raw[i + 1];
    if (name === 'x-forwarded-for') prior = prior ? `${prior}, ${raw[i + 1]}` : raw[i + 1];
    if (HOP_BY_HOP.has(name) || FORWARDED.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push(
    'X-Forwarded-For', prior ? `${prior}, ${client}` : client,
    'X-Real-IP', client,
    'X-Forwarded-Host', host,
    'X-Forwarded-Port', String(req.socket.localPort ?? ''),
    'X-Forwarded-Proto', scheme,
  );
  return out;
}

/** The upstream's response headers for the client, without hop-by-hop headers. */
function responseHeaders(up: http.IncomingMessage): string[] {
  const raw = up.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

/** Whether the request carries a body to stream upstream (else the upstream request ends at once). */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function answer(res: http.ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

export async function startIngressServer(options: IngressServerOptions): Promise<IngressServer> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

  const pick = (req: http.IncomingMessage): Upstream | 'no-route' | 'no-endpoints' => {
    const path = (req.url ?? '/').split('?')[0];
    const backend = route(options.table(), req.headers.host ?? '', path);
    if (!backend) return 'no-route';
    return options.resolve(backend) ?? 'no-endpoints';
  };

  const handler = (scheme: 'http' | 'https') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const upstream = pick(req);
    if (upstream === 'no-route') return answer(res, 404, 'default backend - 404\n');
    if (upstream === 'no-endpoints') return answer(res, 503, '503 Service Temporarily Unavailable\n');
    const proxied = http.request(
      { host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers: forwardedHeaders(req, scheme), agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, responseHeaders(up));
        up.pipe(res);
      },
    );
    proxied.on('error', () => {
      if (!res.headersSent) answer(res, 502, '502 Bad Gateway\n');
      else res.destroy();
    });
    if (hasBody(req)) req.pipe(proxied);
    else proxied.end();
  };

  const upgrade = (scheme: 'http' | 'https') => (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = pick(req);
    if (typeof upstream === 'string') {
      socket.end(`HTTP/1.1 ${upstream === 'no-route' ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const backend = net.connect(upstream.port, upstream.host, () => {
      const headers = [...forwardedHeaders(req, scheme), 'Connection', 'Upgrade', 'Upgrade', req.headers.upgrade ?? ''];
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
      backend.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) backend.write(head);
      backend.pipe(socket);
      socket.pipe(backend);
    });
    const close = () => {
      backend.destroy();
      socket.destroy();
    };
    backend.on('error', close);
    socket.on('error', close);
  };

  const plain = http.createServer(handler('http'));
  plain.on('upgrade', upgrade('http'));
  const contexts = new Map<string, tls.SecureContext>();
  const secure = https.createServer(
    {
      ...options.defaultCertificate,
      SNICallback: (servername, done) => {
        const secret = tlsSecretFor(options.table(), servername);
        const pair = secret ? options.certificate(secret) : undefined;
        if (!pair) return done(null, undefined);
        const cacheKey = `${secret}\n${pair.cert}`;
        let ctx = contexts.get(cacheKey);
        if (!ctx) {
          try {
            ctx = tls.createSecureContext(pair);
          } catch {
            return done(null, undefined);
          }
          contexts.set(cacheKey, ctx);
        }
        done(null, ctx);
      },
    },
    handler('https'),
  );
  secure.on('upgrade', upgrade('https'));
  for (const server of [plain, secure]) server.on('clientError', (_err, socket) => socket.destroy());

  const listen = (server: net.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.bindAddress, () => resolve((server.address() as net.AddressInfo).port));
    });
  const httpPort = await listen(plain, options.httpPort);
  const httpsPort = await listen(secure, options.httpsPort);
  return {
    httpPort,
    httpsPort,
    close: async () => {
      agent.destroy();
      plain.closeAllConnections();
      secure.closeAllConnections();
      await Promise.all([new Promise((r) => plain.close(r)), new Promise((r) => secure.close(r))]);
    },
  };
}
