// The ingress data plane: HTTP and HTTPS listeners that route each request by Host and path (routes.ts)
// to a service endpoint through keep-alive upstream pools, with X-Forwarded-* headers, WebSocket
// upgrades, TLS certificates chosen by SNI, and ingress-nginx's 404 default backend.
//
// It speaks HTTP/1.x on the sockets itself (framing in http1.ts) rather than through node's http
// module: a request is one head rewrite and a relay of bytes, as in nginx, with no per-request
// request/response objects or streams — that costs a third of the CPU per proxied request. Bodies
// are relayed as they arrive, with backpressure both ways, and never buffered. The hot path allocates
// little: a request's state lives in fields of its client connection (no closures per request), upstream
// reads land in one shared buffer, and routing answers are remembered per (Host, path).
import net from 'node:net';
import tls from 'node:tls';
import { route, tlsSecretFor, type BackendRef, type RouteTable } from './routes.js';
import { BodyTracker, HttpError, headerTokens, headerValue, MAX_HEAD_BYTES, parseRequestHead, parseResponseHead, requestFraming, responseFraming, type Framing, type RequestHead } from './http1.js';

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
/**
 * Idle keep-alive connections kept per endpoint: ingress-nginx's upstream-keepalive-connections default.
 * Fewer than the clients in flight means a connection closed and another opened for nearly every request
 * (64 halves the requests/s of 256 keep-alive clients).
 */
const IDLE_PER_UPSTREAM = 320;
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
function upstreamHead(req: RequestHead, connection: string[], socket: net.Socket, scheme: string, extra: string): string {
  let head = `${req.method} ${req.target} HTTP/1.${req.minor}\r\n`;
  let prior = '';
  let host = '';
  for (let i = 0; i < req.headers.length; i += 2) {
    const name = req.headers[i].toLowerCase();
    if (name === 'host') host = req.headers[i + 1];
    else if (name === 'x-forwarded-for') prior = prior ? `${prior}, ${req.headers[i + 1]}` : req.headers[i + 1];
    if ((HOP_BY_HOP.has(name) && name !== 'transfer-encoding') || FORWARDED.has(name) || connection.includes(name)) continue;
    head += `${req.headers[i]}: ${req.headers[i + 1]}\r\n`;
  }
  const client = socket.remoteAddress ?? '';
  return `${head}X-Forwarded-For: ${prior ? `${prior}, ${client}` : client}\r\nX-Real-IP: ${client}\r\nX-Forwarded-Host: ${host}\r\nX-Forwarded-Port: ${socket.localPort ?? ''}\r\nX-Forwarded-Proto: ${scheme}\r\n${extra}\r\n`;
}

/** The response head for the client, without the upstream's hop-by-hop connection headers (`connection`: its Connection tokens). */
function clientHead(status: number, reason: string, headers: string[], connection: string[], close: boolean): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    if (name === 'connection' || name === 'keep-alive' || name === 'proxy-connection' || connection.includes(name)) continue;
    head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  }
  return `${head}${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/**
 * Upstream and plain-HTTP client connections read into this one buffer (node's `onread`): no allocation per
 * read. Each read is handled before the next can land (one thread), and whatever outlives it is copied out.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Routing answers remembered per (Host, path) for the current table; cleared when it grows past this. */
const ROUTE_CACHE_ENTRIES = 4096;

/** One upstream connection; `owner` is the client connection whose request it serves, if any. */
class Link {
  readonly socket: net.Socket;
  owner?: ClientConnection;
  reused = false;
  private failure?: Error;

  constructor(
    pool: UpstreamPool,
    upstream: Upstream,
    readonly key: string,
  ) {
    const socket = net.connect({ host: upstream.host, port: upstream.port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n) => this.read(n) } });
    this.socket = socket;
    socket.setTimeout(UPSTREAM_TIMEOUT_MS, () => socket.destroy(new HttpError(504, 'upstream timed out')));
    socket.on('error', (err) => (this.failure = err));
    socket.on('drain', () => this.owner?.upstreamDrained());
    socket.on('close', () => {
      pool.forget(this);
      this.owner?.upstreamClosed(this, this.failure);
    });
  }

  /** The bytes are in the shared READ_BUFFER: whatever must outlive this call is copied out of it. */
  private read(n: number): boolean {
    // Bytes from an idle pooled connection answer nothing: it cannot be trusted any more.
    if (this.owner) this.owner.upstreamData(this, READ_BUFFER.subarray(0, n));
    else this.socket.destroy();
    // Reading stops only through socket.pause() (a slow client), never through this answer.
    return true;
  }
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
    const link = new Link(this, upstream, key);
    this.all.add(link);
    return link;
  }

  release(link: Link): void {
    link.owner = undefined;
    const list = this.idle.get(link.key) ?? [];
    if (list.length >= IDLE_PER_UPSTREAM || link.socket.destroyed) {
      link.socket.destroy();
      return;
    }
    list.push(link);
    this.idle.set(link.key, list);
  }

  forget(link: Link): void {
    this.all.delete(link);
    const list = this.idle.get(link.key);
    const at = list?.indexOf(link) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list?.length === 0) this.idle.delete(link.key);
  }

  destroy(): void {
    for (const link of this.all) link.socket.destroy();
  }
}

/** What every client connection of one server shares. */
class ServerContext {
  readonly pool = new UpstreamPool();
  readonly clients = new Set<net.Socket>();
  private routedTable?: RouteTable;
  private readonly routes = new Map<string, BackendRef | null>();

  constructor(readonly options: IngressServerOptions) {}

  /** route() for the current table, remembered: the same few (Host, path) pairs come again and again. */
  route(host: string, path: string): BackendRef | undefined {
    const table = this.options.table();
    if (table !== this.routedTable || this.routes.size >= ROUTE_CACHE_ENTRIES) {
      this.routedTable = table;
      this.routes.clear();
    }
    const key = `${host}\n${path}`;
    let backend = this.routes.get(key);
    if (backend === undefined) {
      backend = route(table, host, path) ?? null;
      this.routes.set(key, backend);
    }
    return backend ?? undefined;
  }
}

/**
 * One client connection: its requests one after another (pipelined ones wait their turn). The request in
 * flight lives in fields rather than in closures, so a request allocates no functions.
 */
class ClientConnection {
  private pending?: Buffer;
  private busy = false;
  /** After an error answer: the connection only drains and closes. */
  private closing = false;
  /** The client's bytes are the request body in flight. */
  private forwarding = false;

  // The request in flight.
  /** Its upstream connection. */
  private link?: Link;
  private upstream!: Upstream;
  private method = '';
  /** The head sent upstream, kept to send again on a fresh connection when a pooled one was stale. */
  private head = '';
  private bodyless = true;
  private requestBody!: BodyTracker;
  private response?: BodyTracker;
  /** A response head that has not fully arrived yet (a copy: reads land in a shared buffer). */
  private responseHead?: Buffer;
  private answered = false;
  private untilClose = false;
  private closeClient = false;
  private reusable = false;
  /** After an upgrade (WebSocket): the upstream side of the tunnel the client's bytes now go to. */
  private tunnelled?: net.Socket;

  /** `socket` delivers its bytes to receive(): its 'data' events, or its onread callback (adoptClient). */
  constructor(
    private readonly ctx: ServerContext,
    private readonly socket: net.Socket,
    private readonly scheme: 'http' | 'https',
  ) {
    ctx.clients.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(CLIENT_IDLE_MS, () => {
      if (!this.busy) socket.destroy();
    });
    // The client took what it was sent: the upstream connection paused for it (relay) flows again.
    socket.on('drain', () => {
      if (this.link?.socket.isPaused()) this.link.socket.resume();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      ctx.clients.delete(socket);
      // A client gone mid-request: its upstream connection is in an unknown state.
      if (this.link) this.drop(this.link);
    });
  }

  readonly receive = (chunk: Buffer): void => {
    if (this.tunnelled) {
      if (!this.tunnelled.write(chunk)) this.socket.pause();
      return;
    }
    if (this.closing) return;
    if (this.forwarding) {
      try {
        this.forward(chunk);
      } catch (err) {
        this.fail(err);
      }
      return;
    }
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.busy) this.socket.pause();
    else this.next();
  };

  private fail(err: unknown): void {
    this.closing = true;
    this.forwarding = false;
    this.socket.end(errorResponse(err instanceof HttpError ? err.status : 502, true));
  }

  private next(): void {
    if (this.busy || !this.pending) return;
    const pending = this.pending;
    const end = pending.indexOf(CRLF2);
    if (end < 0) {
      if (pending.length > MAX_HEAD_BYTES) this.fail(new HttpError(431, 'request head too large'));
      return;
    }
    const headText = pending.toString('latin1', 0, end);
    const rest = pending.subarray(end + 4);
    this.pending = rest.length ? rest : undefined;
    try {
      this.start(parseRequestHead(headText));
    } catch (err) {
      this.fail(err);
    }
  }

  private start(req: RequestHead): void {
    const framing = requestFraming(req);
    const connection = headerTokens(req.headers, 'connection');
    const keepAlive = req.minor === 1 ? !connection.includes('close') : false;
    const host = headerValue(req.headers, 'host');
    if (req.minor === 1 && host === undefined) throw new HttpError(400, 'missing Host header');
    const q = req.target.indexOf('?');
    const backend = this.ctx.route(host ?? '', q < 0 ? req.target : req.target.slice(0, q));
    const upstream = backend && this.ctx.options.resolve(backend);
    if (!upstream) {
      // Our own answer; a request body we would have to skip closes the connection instead.
      const close = !keepAlive || framing.kind !== 'none';
      this.socket.write(errorResponse(backend ? 503 : 404, close));
      if (close) this.socket.end();
      else setImmediate(() => this.next());
      return;
    }
    const upgrade = headerValue(req.headers, 'upgrade');
    this.busy = true;
    if (upgrade !== undefined && connection.includes('upgrade')) return this.tunnel(req, connection, upstream, upgrade);
    this.exchange(req, connection, upstream, framing, keepAlive);
  }

  /** WebSocket and other upgrades: the head goes upstream, then bytes flow both ways until either side ends. */
  private tunnel(req: RequestHead, connection: string[], upstream: Upstream, upgrade: string): void {
    const client = this.socket;
    client.setTimeout(0);
    // Written while it connects, these wait in the socket until it is connected; so do the client's next bytes (receive).
    const backend = net.connect({ host: upstream.host, port: upstream.port, noDelay: true });
    backend.write(upstreamHead(req, connection, client, this.scheme, `Connection: Upgrade\r\nUpgrade: ${upgrade}\r\n`), 'latin1');
    if (this.pending) backend.write(this.pending);
    this.pending = undefined;
    this.tunnelled = backend;
    backend.on('drain', () => client.resume());
    backend.pipe(client);
    client.resume();
    const close = (): void => {
      backend.destroy();
      client.destroy();
    };
    backend.on('error', close);
    backend.on('close', close);
    client.on('close', close);
  }

  private exchange(req: RequestHead, connection: string[], upstream: Upstream, framing: Framing, keepAlive: boolean): void {
    this.upstream = upstream;
    this.method = req.method;
    this.head = upstreamHead(req, connection, this.socket, this.scheme, '');
    this.bodyless = framing.kind === 'none';
    this.requestBody = new BodyTracker(framing, 400);
    this.response = undefined;
    this.responseHead = undefined;
    this.answered = false;
    this.untilClose = false;
    this.closeClient = !keepAlive;
    this.reusable = req.minor === 1;
    const link = this.ctx.pool.acquire(upstream);
    link.owner = this;
    this.link = link;
    if (this.requestBody.done) {
      link.socket.write(this.head, 'latin1');
      // Pipelined requests wait until this response is complete.
      if (this.pending) this.socket.pause();
      return;
    }
    // The head and the body bytes that came with it leave in one write.
    link.socket.cork();
    try {
      link.socket.write(this.head, 'latin1');
      this.forwarding = true;
      if (this.pending) {
        const first = this.pending;
        this.pending = undefined;
        this.forward(first);
      }
    } finally {
      link.socket.uncork();
    }
  }

  /** The request body: what arrived with the head, then the client's next bytes, until it ends. */
  private forward(chunk: Buffer): void {
    const used = this.requestBody.take(chunk);
    // Paused for backpressure, the client resumes when the upstream connection drains (upstreamDrained).
    if (used > 0 && !this.link!.socket.write(used === chunk.length ? chunk : chunk.subarray(0, used))) this.socket.pause();
    if (used < chunk.length) this.pending = this.pending ? Buffer.concat([chunk.subarray(used), this.pending]) : chunk.subarray(used);
    if (this.requestBody.done) {
      this.forwarding = false;
      // Pipelined requests wait until this response is complete.
      if (this.pending) this.socket.pause();
    }
  }

  upstreamDrained(): void {
    this.socket.resume();
  }

  /** Bytes of the response; `chunk` lies in the shared read buffer. */
  upstreamData(link: Link, chunk: Buffer): void {
    try {
      this.response ? this.responseBody(chunk) : this.responseStart(chunk);
    } catch (err) {
      this.drop(link);
      if (!this.answered) this.fail(err);
      else this.socket.destroy();
    }
  }

  private responseStart(chunk: Buffer): void {
    const data = this.responseHead ? Buffer.concat([this.responseHead, chunk]) : chunk;
    const end = data.indexOf(CRLF2);
    if (end < 0) {
      if (data.length > MAX_HEAD_BYTES) throw new HttpError(502, 'upstream response head too large');
      this.responseHead = data === chunk ? Buffer.from(chunk) : data;
      return;
    }
    this.responseHead = undefined;
    const parsed = parseResponseHead(data.toString('latin1', 0, end));
    const rest = data.subarray(end + 4);
    const connection = headerTokens(parsed.headers, 'connection');
    if (parsed.status < 200) {
      // Interim answers (100 Continue) go to the client as they are; the final head follows.
      this.socket.write(clientHead(parsed.status, parsed.reason, parsed.headers, connection, false), 'latin1');
      if (rest.length) this.responseStart(rest);
      return;
    }
    const framing = responseFraming(this.method, parsed);
    const upstreamClose = connection.includes('close') || parsed.minor === 0;
    if (framing.kind === 'close' || upstreamClose) this.reusable = false;
    if (framing.kind === 'close') this.closeClient = this.untilClose = true;
    const response = new BodyTracker(framing, 502);
    this.response = response;
    this.answered = true;
    const used = response.take(rest);
    // The head and the body bytes that came with it leave in one buffer (a copy): one write, one syscall.
    const text = clientHead(parsed.status, parsed.reason, parsed.headers, connection, this.closeClient);
    const out = Buffer.allocUnsafe(text.length + used);
    out.write(text, 0, 'latin1');
    rest.copy(out, text.length, 0, used);
    this.relay(out);
    // Bytes past the end of the response: the upstream cannot be trusted with another request.
    if (used < rest.length) this.reusable = false;
    if (response.done) this.finish();
  }

  private responseBody(chunk: Buffer): void {
    const response = this.response!;
    const used = response.take(chunk);
    if (used > 0) this.relay(Buffer.from(chunk.subarray(0, used)));
    if (response.done) {
      if (used < chunk.length) this.reusable = false;
      this.finish();
    }
  }

  /** To the client; a slow client pauses the upstream connection until it drains (see the constructor). */
  private relay(buf: Buffer): void {
    if (!this.socket.write(buf)) this.link!.socket.pause();
  }

  upstreamClosed(link: Link, err?: Error): void {
    if (this.untilClose && !err) return this.finish();
    // A pooled connection the upstream closed meanwhile: once more on a new one, if nothing was sent yet.
    if (!this.answered && link.reused && this.requestBody.done && this.bodyless && !(err instanceof HttpError)) {
      link.owner = undefined;
      const fresh = this.ctx.pool.connect(this.upstream);
      fresh.owner = this;
      this.link = fresh;
      fresh.socket.write(this.head, 'latin1');
      return;
    }
    link.owner = undefined;
    this.link = undefined;
    if (!this.answered) this.fail(err ?? new HttpError(502, 'upstream closed the connection'));
    else this.socket.destroy();
  }

  /** The upstream connection leaves this client for good, closed. */
  private drop(link: Link): void {
    link.owner = undefined;
    this.link = undefined;
    link.socket.destroy();
  }

  private finish(): void {
    const link = this.link!;
    link.owner = undefined;
    this.link = undefined;
    // Paused for a slow client (relay), it must flow again for whoever takes it from the pool next.
    if (link.socket.isPaused()) link.socket.resume();
    if (this.reusable && this.requestBody.done) this.ctx.pool.release(link);
    else link.socket.destroy();
    this.busy = false;
    this.forwarding = false;
    if (this.closeClient) {
      this.socket.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.next();
  }
}

/**
 * Serves a plain-HTTP client connection re-wrapped to read through `onread` into the shared buffer, as
 * upstream connections do, sparing node's buffer allocation per read (~1.5 us of ~17 us CPU per proxied
 * request). net.Server has no onread option, so the accepted socket (paused on connect, never read from)
 * hands its handle to a new Socket that has one, then goes. Each read is copied out (small copies come
 * from node's buffer pool): a client's bytes can outlive the read (a partial head, pipelined requests,
 * body bytes the upstream has not taken yet). TLS connections keep node's reads (TLS reads the TCP
 * socket itself), as does a node without the handle property this relies on.
 */
function adoptClient(ctx: ServerContext, accepted: net.Socket): void {
  const internal = accepted as unknown as { _handle?: object | null };
  const handle = internal._handle;
  if (!handle) {
    const connection = new ClientConnection(ctx, accepted, 'http');
    accepted.on('data', connection.receive);
    accepted.resume();
    return;
  }
  internal._handle = null;
  const onread = {
    buffer: READ_BUFFER,
    callback: (n: number): boolean => {
      connection.receive(Buffer.from(READ_BUFFER.subarray(0, n)));
      // Reading stops only through socket.pause(), never through this answer.
      return true;
    },
  };
  const socket = new net.Socket({ handle, onread } as net.SocketConstructorOpts);
  const connection = new ClientConnection(ctx, socket, 'http');
  // Without its handle this only drops the accepted socket's bookkeeping (the server's connection count).
  accepted.destroy();
}

export async function startIngressServer(options: IngressServerOptions): Promise<IngressServer> {
  const ctx = new ServerContext(options);
  const plain = net.createServer({ pauseOnConnect: true }, (socket) => adoptClient(ctx, socket));
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
    (socket) => {
      const connection = new ClientConnection(ctx, socket, 'https');
      socket.on('data', connection.receive);
    },
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
      ctx.pool.destroy();
      for (const c of ctx.clients) c.destroy();
      await Promise.all([new Promise((r) => plain.close(r)), new Promise((r) => secure.close(r))]);
    },
  };
}
