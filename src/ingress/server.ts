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

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

function forwardedHeaders(req: http.IncomingMessage, scheme: 'http' | 'https'): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  for (const h of HOP_BY_HOP) delete headers[h];
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  headers['x-real-ip'] = client;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = scheme;
  return headers;
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
        const headers = { ...up.headers };
        for (const h of HOP_BY_HOP) delete headers[h];
        res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
        up.pipe(res);
      },
    );
    proxied.on('error', () => {
      if (!res.headersSent) answer(res, 502, '502 Bad Gateway\n');
      else res.destroy();
    });
    req.pipe(proxied);
  };

  const upgrade = (scheme: 'http' | 'https') => (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = pick(req);
    if (typeof upstream === 'string') {
      socket.end(`HTTP/1.1 ${upstream === 'no-route' ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const backend = net.connect(upstream.port, upstream.host, () => {
      const headers = forwardedHeaders(req, scheme);
      headers.connection = 'Upgrade';
      headers.upgrade = req.headers.upgrade;
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) for (const value of Array.isArray(v) ? v : [v]) if (value !== undefined) lines.push(`${k}: ${value}`);
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
