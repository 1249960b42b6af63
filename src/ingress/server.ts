// The ingress data plane: HTTP and HTTPS listeners that route each request by Host and path (routes.ts)
// to a service endpoint through keep-alive upstream pools, with X-Forwarded-* headers, WebSocket
// upgrades, TLS certificates chosen by SNI, and ingress-nginx's 404 default backend.
//
// It speaks HTTP/1.x on the sockets itself (framing in http1.ts) rather than through node's http
// module: a request is one head rewrite and a relay of bytes, as in nginx, with no per-request
// request/response objects or streams — that costs a third of the CPU per proxied request. Bodies
// are relayed as they arrive, with backpressure both ways, and never buffered.
import net from 'node:net';
import tls from 'node:tls';
import { route, tlsSecretFor, type BackendRef, type RouteTable } from './routes.js';
import { BodyTracker, HttpError, headerTokens, headerValue, MAX_HEAD_BYTES, parseRequestHead, parseResponseHead, requestFraming, responseFraming, type RequestHead } from './http1.js';

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

/** nginx's keepalive_timeout (client) and proxy_read_timeout / upstream keepalive_timeout (upstream). */
const CLIENT_IDLE_MS = 75_000;
const UPSTREAM_TIMEOUT_MS = 60_000;
const IDLE_PER_UPSTREAM = 64;
const CRLF2 = Buffer.from('\r\n\r\n');

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
/** Set by the proxy itself, so a client cannot forge them (X-Forwarded-For is appended to instead). */
const FORWARDED = new Set(['x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto']);

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const BODIES: Record<number, string> = { 404: 'default backend - 404\n', 503: '503 Service Temporarily Unavailable\n', 504: '504 Gateway Time-out\n' };

function errorResponse(status: number, close: boolean): string {
  const body = BODIES[status] ?? `${status} ${REASONS[status]}\n`;
  return `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${close ? 'Connection: close\r\n' : ''}\r\n${body}`;
}

/**
 * The head sent upstream: the client's headers without hop-by-hop ones (Transfer-Encoding stays: the
 * body is relayed in the framing it came in), plus X-Forwarded-* and X-Real-IP as ingress-nginx sets
 * them. HTTP/1.0 clients are proxied as HTTP/1.0, so the upstream frames its answer for them.
 */
function upstreamHead(req: RequestHead, socket: net.Socket, scheme: string, extra: string): string {
  const dropped = new Set(headerTokens(req.headers, 'connection'));
  let head = `${req.method} ${req.target} HTTP/1.${req.minor}\r\n`;
  let prior = '';
  let host = '';
  for (let i = 0; i < req.headers.length; i += 2) {
    const name = req.headers[i].toLowerCase();
    if (name === 'host') host = req.headers[i + 1];
    else if (name === 'x-forwarded-for') prior = prior ? `${prior}, ${req.headers[i + 1]}` : req.headers[i + 1];
    if ((HOP_BY_HOP.has(name) && name !== 'transfer-encoding') || FORWARDED.has(name) || dropped.has(name)) continue;
    head += `${req.headers[i]}: ${req.headers[i + 1]}\r\n`;
  }
  const client = socket.remoteAddress ?? '';
  return `${head}X-Forwarded-For: ${prior ? `${prior}, ${client}` : client}\r\nX-Real-IP: ${client}\r\nX-Forwarded-Host: ${host}\r\nX-Forwarded-Port: ${socket.localPort ?? ''}\r\nX-Forwarded-Proto: ${scheme}\r\n${extra}\r\n`;
}

/** The response head for the client, without the upstream's hop-by-hop connection headers. */
function clientHead(status: number, reason: string, headers: string[], close: boolean): string {
  const dropped = new Set(headerTokens(headers, 'connection'));
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    if (name === 'connection' || name === 'keep-alive' || name === 'proxy-connection' || dropped.has(name)) continue;
    head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  }
  return `${head}${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/** One upstream connection; `exchange` receives its events while it serves a request. */
interface Link {
  socket: net.Socket;
  key: string;
  reused: boolean;
  exchange?: { data(chunk: Buffer): void; closed(err?: Error): void };
}

/** Keep-alive connections per endpoint, most recently used first (idle ones time out). */
class UpstreamPool {
  private readonly idle = new Map<string, Link[]>();
  private readonly all = new Set<Link>();

  acquire(upstream: Upstream): Link {
    const key = `${upstream.host}:${upstream.port}`;
    const list = this.idle.get(key);
    while (list?.length) {
      const link = list.pop()!;
      if (!link.socket.destroyed) {
        link.reused = true;
        return link;
      }
    }
    return this.connect(upstream, key);
  }

  connect(upstream: Upstream, key = `${upstream.host}:${upstream.port}`): Link {
    const socket = net.connect({ host: upstream.host, port: upstream.port, noDelay: true });
    const link: Link = { socket, key, reused: false };
    this.all.add(link);
    let failure: Error | undefined;
    socket.setTimeout(UPSTREAM_TIMEOUT_MS, () => socket.destroy(new HttpError(504, 'upstream timed out')));
    socket.on('data', (chunk: Buffer) => (link.exchange ? link.exchange.data(chunk) : socket.destroy()));
    socket.on('error', (err) => (failure = err));
    socket.on('close', () => {
      this.all.delete(link);
      this.forget(link);
      link.exchange?.closed(failure);
    });
    return link;
  }

  release(link: Link): void {
    link.exchange = undefined;
    const list = this.idle.get(link.key) ?? [];
    if (list.length >= IDLE_PER_UPSTREAM || link.socket.destroyed) {
      link.socket.destroy();
      return;
    }
    list.push(link);
    this.idle.set(link.key, list);
  }

  private forget(link: Link): void {
    const list = this.idle.get(link.key);
    const at = list?.indexOf(link) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list?.length === 0) this.idle.delete(link.key);
  }

  destroy(): void {
    for (const link of this.all) link.socket.destroy();
  }
}

export async function startIngressServer(options: IngressServerOptions): Promise<IngressServer> {
  const pool = new UpstreamPool();
  const clients = new Set<net.Socket>();

  /** Serves one client connection: its requests one after another (pipelined ones wait their turn). */
  const serve = (client: net.Socket, scheme: 'http' | 'https'): void => {
    clients.add(client);
    client.setNoDelay(true);
    client.setTimeout(CLIENT_IDLE_MS, () => {
      if (!busy) client.destroy();
    });
    let pending: Buffer | undefined;
    let busy = false;
    /** After an error answer: the connection only drains and closes. */
    let closing = false;
    /** The upstream connection of the request in flight. */
    let current: Link | undefined;
    /** Where the client's bytes go while a request body is being relayed. */
    let body: ((chunk: Buffer) => void) | undefined;

    const fail = (err: unknown): void => {
      closing = true;
      body = undefined;
      client.end(errorResponse(err instanceof HttpError ? err.status : 502, true));
    };

    const next = (): void => {
      if (busy || !pending) return;
      const end = pending.indexOf(CRLF2);
      if (end < 0) {
        if (pending.length > MAX_HEAD_BYTES) fail(new HttpError(431, 'request head too large'));
        return;
      }
      const headText = pending.toString('latin1', 0, end);
      const rest = pending.subarray(end + 4);
      pending = rest.length ? rest : undefined;
      try {
        start(parseRequestHead(headText));
      } catch (err) {
        fail(err);
      }
    };

    const start = (req: RequestHead): void => {
      const framing = requestFraming(req);
      const connection = headerTokens(req.headers, 'connection');
      const keepAlive = req.minor === 1 ? !connection.includes('close') : false;
      const host = headerValue(req.headers, 'host');
      if (req.minor === 1 && host === undefined) throw new HttpError(400, 'missing Host header');
      const q = req.target.indexOf('?');
      const backend = route(options.table(), host ?? '', q < 0 ? req.target : req.target.slice(0, q));
      const upstream = backend && options.resolve(backend);
      if (!upstream) {
        // Our own answer; a request body we would have to skip closes the connection instead.
        const close = !keepAlive || framing.kind !== 'none';
        client.write(errorResponse(backend ? 503 : 404, close));
        if (close) client.end();
        else setImmediate(next);
        return;
      }
      const upgrade = headerValue(req.headers, 'upgrade');
      if (upgrade !== undefined && connection.includes('upgrade')) return tunnel(req, upstream, upgrade);
      busy = true;
      exchange(req, upstream, framing, keepAlive);
    };

    /** WebSocket and other upgrades: the head goes upstream, then bytes flow both ways until either side ends. */
    const tunnel = (req: RequestHead, upstream: Upstream, upgrade: string): void => {
      busy = true;
      client.setTimeout(0);
      client.removeListener('data', onData);
      const backend = net.connect({ host: upstream.host, port: upstream.port, noDelay: true }, () => {
        backend.write(upstreamHead(req, client, scheme, `Connection: Upgrade\r\nUpgrade: ${upgrade}\r\n`), 'latin1');
        if (pending) backend.write(pending);
        pending = undefined;
        backend.pipe(client);
        client.pipe(backend);
        client.resume();
      });
      const close = (): void => {
        backend.destroy();
        client.destroy();
      };
      backend.on('error', close);
      backend.on('close', close);
      client.on('close', close);
    };

    const exchange = (req: RequestHead, upstream: Upstream, framing: ReturnType<typeof requestFraming>, keepAlive: boolean): void => {
      const head = upstreamHead(req, client, scheme, '');
      const requestBody = new BodyTracker(framing, 400);
      let link = pool.acquire(upstream);
      current = link;
      let answered = false;
      let untilClose = false;
      let response: BodyTracker | undefined;
      let responseHead: Buffer | undefined;
      let closeClient = !keepAlive;
      let reusable = req.minor === 1;

      const finish = (): void => {
        link.exchange = undefined;
        current = undefined;
        // Paused for a slow client (relay), it must flow again for whoever takes it from the pool next.
        if (link.socket.isPaused()) link.socket.resume();
        if (reusable && requestBody.done) pool.release(link);
        else link.socket.destroy();
        busy = false;
        body = undefined;
        if (closeClient) {
          client.end();
          return;
        }
        if (client.isPaused()) client.resume();
        next();
      };

      const relay = (chunk: Buffer): void => {
        if (client.write(chunk)) return;
        const paused = link;
        paused.socket.pause();
        // Once finished, the connection was resumed already and may serve another client by now.
        client.once('drain', () => current === paused && paused.socket.resume());
      };

      const onUpstreamData = (chunk: Buffer): void => {
        if (!response) {
          responseHead = responseHead ? Buffer.concat([responseHead, chunk]) : chunk;
          const end = responseHead.indexOf(CRLF2);
          if (end < 0) {
            if (responseHead.length > MAX_HEAD_BYTES) throw new HttpError(502, 'upstream response head too large');
            return;
          }
          const parsed = parseResponseHead(responseHead.toString('latin1', 0, end));
          const rest = responseHead.subarray(end + 4);
          responseHead = undefined;
          if (parsed.status < 200) {
            // Interim answers (100 Continue) go to the client as they are; the final head follows.
            client.write(clientHead(parsed.status, parsed.reason, parsed.headers, false), 'latin1');
            if (rest.length) onUpstreamData(rest);
            return;
          }
          const framing = responseFraming(req.method, parsed);
          const upstreamClose = headerTokens(parsed.headers, 'connection').includes('close') || parsed.minor === 0;
          if (framing.kind === 'close' || upstreamClose) reusable = false;
          if (framing.kind === 'close') closeClient = untilClose = true;
          response = new BodyTracker(framing, 502);
          answered = true;
          const used = response.take(rest);
          // The head and the body bytes that came with it leave in one buffer: one write, one syscall.
          const text = clientHead(parsed.status, parsed.reason, parsed.headers, closeClient);
          const out = Buffer.allocUnsafe(text.length + used);
          out.write(text, 0, 'latin1');
          rest.copy(out, text.length, 0, used);
          relay(out);
          if (used < rest.length) reusable = false;
          if (response.done) finish();
          return;
        }
        const used = response.take(chunk);
        if (used > 0) relay(used === chunk.length ? chunk : chunk.subarray(0, used));
        if (response.done) {
          // Bytes past the end of the response: the upstream cannot be trusted with another request.
          if (used < chunk.length) reusable = false;
          finish();
        }
      };

      const onUpstreamClosed = (err?: Error): void => {
        if (untilClose && !err) return finish();
        // A pooled connection the upstream closed meanwhile: once more on a new one, if nothing was sent yet.
        if (!answered && link.reused && requestBody.done && framing.kind === 'none' && !(err instanceof HttpError)) {
          link = current = pool.connect(upstream);
          link.exchange = { data: guarded(onUpstreamData), closed: onUpstreamClosed };
          link.socket.write(head, 'latin1');
          return;
        }
        current = undefined;
        if (!answered) fail(err ?? new HttpError(502, 'upstream closed the connection'));
        else client.destroy();
      };

      const guarded = (fn: (chunk: Buffer) => void) => (chunk: Buffer) => {
        try {
          fn(chunk);
        } catch (err) {
          link.exchange = undefined;
          link.socket.destroy();
          current = undefined;
          if (!answered) fail(err);
          else client.destroy();
        }
      };
      link.exchange = { data: guarded(onUpstreamData), closed: onUpstreamClosed };
      // The request body: what arrived with the head, then the client's next bytes, until it ends.
      const forward = (chunk: Buffer): void => {
        const used = requestBody.take(chunk);
        if (used > 0) {
          const part = used === chunk.length ? chunk : chunk.subarray(0, used);
          if (!link.socket.write(part)) {
            client.pause();
            link.socket.once('drain', () => client.resume());
          }
        }
        if (used < chunk.length) {
          pending = pending ? Buffer.concat([chunk.subarray(used), pending]) : chunk.subarray(used);
        }
        if (requestBody.done) {
          body = undefined;
          // Pipelined requests wait until this response is complete.
          if (pending) client.pause();
        }
      };
      const socket = link.socket;
      if (requestBody.done) {
        socket.write(head, 'latin1');
        // Pipelined requests wait until this response is complete.
        if (pending) client.pause();
        return;
      }
      // The head and the body bytes that came with it leave in one write.
      socket.cork();
      try {
        socket.write(head, 'latin1');
        body = forward;
        if (pending) {
          const first = pending;
          pending = undefined;
          forward(first);
        }
      } finally {
        socket.uncork();
      }
    };

    const onData = (chunk: Buffer): void => {
      if (closing) return;
      if (body) {
        try {
          body(chunk);
        } catch (err) {
          fail(err);
        }
        return;
      }
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      if (busy) client.pause();
      else next();
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
    client.on('close', () => {
      clients.delete(client);
      // A client gone mid-request: its upstream connection is in an unknown state.
      if (current) {
        current.exchange = undefined;
        current.socket.destroy();
      }
    });
  };

  const plain = net.createServer((socket) => serve(socket, 'http'));
  const contexts = new Map<string, tls.SecureContext>();
  const secure = tls.createServer(
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
    (socket) => serve(socket, 'https'),
  );
  secure.on('tlsClientError', (_err, socket) => socket.destroy());

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
      pool.destroy();
      for (const c of clients) c.destroy();
      await Promise.all([new Promise((r) => plain.close(r)), new Promise((r) => secure.close(r))]);
    },
  };
}
