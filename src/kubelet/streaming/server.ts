// The kubelet's streaming server (port 10250): container logs, exec, attach and port-forward for the
// API server to proxy. The API server pipes kubectl's own upgrade requests through unchanged, so this
// server speaks kubectl's protocols directly: SPDY/3.1 (remotecommand v4…v1, portforward.k8s.io),
// WebSocket v5.channel.k8s.io (and v4, v4.base64 for other clients) for exec/attach, and SPDY tunnelled
// in a WebSocket or the channel protocols for port-forward.
// Callers (the API server) prove themselves with the cluster's join token.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { PassThrough, Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatTimeNano, parseTimeArg, readLogs } from '../../engine/index.js';
import { queryBool } from '../../api/index.js';
import type { Kubelet } from '../kubelet.js';
import { dialPod } from '../pod-dial.js';
import { serveStats } from '../stats.js';
import type { Pod } from '../../client/index.js';
import { portForwardPorts, serveChannelPortForward } from './channel-portforward.js';
import { CHANNEL_BASE64_PROTOCOL, CHANNEL_BINARY_PROTOCOL, CHANNEL_V5_PROTOCOL, readChannel, sendChannel } from './channels.js';
import { errorStatus, resizeParser, runAttach, runExec, type RemoteStatus, type SessionIO } from './session.js';
import { SpdyConnection, type SpdyStream } from './spdy.js';

const EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl ≥ 1.30 offers v5 only; older clients and the client libraries may ask for v4 (no stdin half-close). */
const EXEC_WS_PROTOCOLS = [CHANNEL_V5_PROTOCOL, CHANNEL_BINARY_PROTOCOL, CHANNEL_BASE64_PROTOCOL];
const WS_TUNNEL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;
const PORT_FORWARD_WS_PROTOCOLS = [WS_TUNNEL, CHANNEL_BINARY_PROTOCOL, CHANNEL_BASE64_PROTOCOL];
const STREAM_WAIT_MS = 30_000;
const STATUS_CLOSE_GAP_MS = 20;

export interface StreamingServer {
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function statusBody(e: HttpError): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code });
}

interface Target {
  kind: 'containerLogs' | 'exec' | 'attach' | 'portForward';
  pod: Pod;
  container: string;
  query: URLSearchParams;
}

/** The secret part of a join token, given in full (K10<ca hash>::server:<secret>) or short form. */
export function tokenSecret(token: string): string {
  const i = token.indexOf('::server:');
  return i >= 0 ? token.slice(i + '::server:'.length) : token;
}

export async function startStreamingServer(kubelet: Kubelet, opts: { port: number; host: string; token: string }): Promise<StreamingServer> {
  const expected = crypto.createHash('sha256').update(tokenSecret(opts.token)).digest();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (set, req) => (isPortForward(req) ? PORT_FORWARD_WS_PROTOCOLS : EXEC_WS_PROTOCOLS).find((p) => set.has(p)) ?? false,
  });

  const resolve = (req: http.IncomingMessage): Target => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!crypto.timingSafeEqual(crypto.createHash('sha256').update(tokenSecret(bearer)).digest(), expected)) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const [kind, ns, name, container] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (!['containerLogs', 'exec', 'attach', 'portForward'].includes(kind) || !ns || !name) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const pod = kubelet.pod(ns, name);
    if (!pod) throw new HttpError(404, 'NotFound', `pods "${name}" not found`);
    const wanted = container || url.searchParams.get('container') || pod.spec.containers[0]?.name || '';
    return { kind: kind as Target['kind'], pod, container: wanted, query: url.searchParams };
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        if (await serveStats(kubelet, opts.token, req, res)) return;
        const t = resolve(req);
        if (t.kind !== 'containerLogs') throw new HttpError(400, 'BadRequest', 'Upgrade request required');
        await serveLogs(kubelet, t, req, res);
      } catch (err) {
        const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', err instanceof Error ? err.message : String(err));
        if (!res.headersSent) res.writeHead(e.code, { 'Content-Type': 'application/json' }).end(statusBody(e));
        else res.destroy();
      }
    })();
  });
  // Upgraded connections leave the HTTP server's bookkeeping; close() ends them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    try {
      const t = resolve(req);
      if (t.kind === 'containerLogs') throw new HttpError(400, 'BadRequest', 'logs are not an upgrade request');
      const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
      if (upgrade === 'websocket') {
        const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
        if (t.kind === 'portForward') {
          if (protocols.includes(WS_TUNNEL)) wss.handleUpgrade(req, socket, head, (ws) => servePortForwardTunnel(kubelet, t, ws));
          else serveChannelUpgrade(kubelet, t, (serve) => wss.handleUpgrade(req, socket, head, serve));
          return;
        }
        if (!EXEC_WS_PROTOCOLS.some((p) => protocols.includes(p))) throw new HttpError(400, 'BadRequest', `unsupported WebSocket subprotocols ${protocols.join(', ')}`);
        wss.handleUpgrade(req, socket, head, (ws) => serveWebSocketExec(kubelet, t, ws));
        return;
      }
      if (!upgrade.includes('spdy/3.1')) throw new HttpError(400, 'BadRequest', `unsupported upgrade ${upgrade}`);
      const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const supported = t.kind === 'portForward' ? [PORT_FORWARD_PROTOCOL] : EXEC_PROTOCOLS;
      const protocol = offered.find((p) => supported.includes(p)) ?? (offered.length ? undefined : '');
      if (protocol === undefined) {
        socket.end(`HTTP/1.1 403 Forbidden\r\nX-Accepted-Stream-Protocol-Versions: ${supported.join(', ')}\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      if (t.kind !== 'portForward') checkContainer(kubelet, t);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocol ? `X-Stream-Protocol-Version: ${protocol}\r\n` : ''}\r\n`);
      const conn = new SpdyConnection((d) => socket.write(d), () => socket.end());
      conn.on('error', () => undefined);
      socket.on('data', (d: Buffer) => conn.push(d));
      socket.on('close', () => conn.close());
      if (head.length) conn.push(head);
      if (t.kind === 'portForward') servePortForward(kubelet, t, conn);
      else serveSpdyExec(kubelet, t, conn);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', err instanceof Error ? err.message : String(err));
      const body = statusBody(e);
      socket.end(`HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port, opts.host, () => res());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((res) => {
        for (const ws of wss.clients) ws.terminate();
        for (const socket of upgraded) socket.destroy();
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}

/** The running container of an exec/attach target, or the kube-style error. */
function checkContainer(kubelet: Kubelet, t: Target): string {
  if (![...t.pod.spec.containers, ...(t.pod.spec.initContainers ?? [])].some((c) => c.name === t.container)) {
    throw new HttpError(400, 'BadRequest', `container ${t.container} is not valid for pod ${t.pod.metadata.name}`);
  }
  const c = kubelet.container(t.pod, t.container);
  if (!c || c.state !== 'CONTAINER_RUNNING') throw new HttpError(400, 'BadRequest', `container not found ("${t.container}")`);
  return c.id;
}

// ---- logs ------------------------------------------------------------------------------------------------

async function serveLogs(kubelet: Kubelet, t: Target, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const q = t.query;
  const previous = queryBool(q, 'previous');
  const podName = t.pod.metadata.name;
  if (![...t.pod.spec.containers, ...(t.pod.spec.initContainers ?? [])].some((c) => c.name === t.container)) {
    throw new HttpError(400, 'BadRequest', `container ${t.container} is not valid for pod ${podName}`);
  }
  const c = kubelet.container(t.pod, t.container, previous);
  if (!c) {
    if (previous) throw new HttpError(400, 'BadRequest', `previous terminated container "${t.container}" in pod "${podName}" not found`);
    const waiting = [...(t.pod.status?.containerStatuses ?? []), ...(t.pod.status?.initContainerStatuses ?? [])].find((s) => s.name === t.container)?.state?.waiting?.reason ?? 'ContainerCreating';
    throw new HttpError(400, 'BadRequest', `container "${t.container}" in pod "${podName}" is waiting to start: ${waiting}`);
  }
  const follow = queryBool(q, 'follow');
  const timestamps = queryBool(q, 'timestamps');
  const tail = q.get('tailLines');
  const limit = q.get('limitBytes') ? Number(q.get('limitBytes')) : Infinity;
  let sinceNano: bigint | undefined;
  if (q.get('sinceSeconds')) sinceNano = BigInt(Date.now() - Number(q.get('sinceSeconds')) * 1000) * 1_000_000n;
  if (q.get('sinceTime')) {
    const t2 = parseTimeArg(q.get('sinceTime')!);
    if (sinceNano === undefined || t2 > sinceNano) sinceNano = t2;
  }
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  let sent = 0;
  await readLogs(
    c.logPath,
    {
      tail: tail !== null && Number(tail) >= 0 ? Number(tail) : undefined,
      sinceNano,
      follow,
      signal: abort.signal,
      isRunning: () => {
        try {
          return kubelet.runtime.containerStatus(c.id).state === 'CONTAINER_RUNNING';
        } catch {
          return false;
        }
      },
    },
    (m) => {
      if (sent >= limit) {
        abort.abort();
        return;
      }
      let data = timestamps ? Buffer.concat([Buffer.from(rfc3339NanoFixed(m.timeNano) + ' '), m.data]) : m.data;
      if (sent + data.length > limit) data = data.subarray(0, limit - sent);
      sent += data.length;
      res.write(data);
    },
  );
  res.end();
}

/** Go's RFC3339NanoFixed in UTC: 2006-01-02T15:04:05.000000000Z. */
function rfc3339NanoFixed(nanos: bigint): string {
  return formatTimeNano(nanos).replace(/[+-]00:00$/, 'Z').replace(/\.(\d+)/, (_, d: string) => `.${d.padEnd(9, '0')}`);
}

// ---- exec / attach over SPDY -------------------------------------------------------------------------------

function spdyWritable(s: SpdyStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      s.write(chunk);
      cb();
    },
  });
}

function serveSpdyExec(kubelet: Kubelet, t: Target, conn: SpdyConnection): void {
  const q = t.query;
  const tty = queryBool(q, 'tty');
  const want = { stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr') && !tty, resize: tty };
  const expected = 1 + Number(want.stdin) + Number(want.stdout) + Number(want.stderr) + Number(want.resize);
  const streams = new Map<string, SpdyStream>();
  const stdin = new PassThrough();
  const resizes: Array<(s: { width: number; height: number }) => void> = [];
  const pendingSizes: Array<{ width: number; height: number }> = [];
  const onSize = resizeParser((s) => (resizes.length ? resizes.forEach((fn) => fn(s)) : pendingSizes.push(s)));
  let started = false;
  const timer = setTimeout(() => conn.goAway(), STREAM_WAIT_MS);
  const gone = new Promise<void>((res) => conn.once('close', () => res()));
  conn.on('stream', (s: SpdyStream) => {
    const type = s.headers.streamtype;
    streams.set(type, s);
    if (type === 'stdin') {
      s.on('data', (d: Buffer) => stdin.write(d));
      s.on('end', () => stdin.end());
    } else if (type === 'resize') {
      s.on('data', onSize);
    }
    if (streams.size < expected || started) return;
    started = true;
    clearTimeout(timer);
    void (async () => {
      const io: SessionIO = {
        stdin: want.stdin ? stdin : undefined,
        stdout: streams.get('stdout') ? spdyWritable(streams.get('stdout')!) : undefined,
        stderr: streams.get('stderr') ? spdyWritable(streams.get('stderr')!) : undefined,
        tty,
        onResize: (fn) => {
          resizes.push(fn);
          for (const s2 of pendingSizes.splice(0)) fn(s2);
        },
      };
      let status: RemoteStatus;
      try {
        const id = checkContainer(kubelet, t);
        status = t.kind === 'exec' ? await runExec(kubelet.runtime, id, t.query.getAll('command'), io) : await runAttach(kubelet.runtime, id, io, gone);
      } catch (err) {
        status = errorStatus(err instanceof Error ? err.message : String(err));
      }
      streams.get('stdout')?.end();
      streams.get('stderr')?.end();
      const errStream = streams.get('error');
      if (status.status === 'Success') errStream?.end();
      else errStream?.end(Buffer.from(JSON.stringify(status)));
      conn.goAway();
    })();
  });
}

// ---- exec / attach over WebSocket (v5, v4, v4 base64) -----------------------------------------------------

function serveWebSocketExec(kubelet: Kubelet, t: Target, ws: WebSocket): void {
  const q = t.query;
  const tty = queryBool(q, 'tty');
  const channel = (ch: number): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        sendChannel(ws, ch, chunk, () => cb());
      },
    });
  const stdin = new PassThrough();
  const resizes: Array<(s: { width: number; height: number }) => void> = [];
  const pendingSizes: Array<{ width: number; height: number }> = [];
  const onSize = resizeParser((s) => (resizes.length ? resizes.forEach((fn) => fn(s)) : pendingSizes.push(s)));
  const v5 = ws.protocol === CHANNEL_V5_PROTOCOL;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    // v5 is binary only (kubectl aborts on text); v4 base64 is text only.
    if (v5 && !isBinary) return;
    const m = readChannel(data, isBinary);
    if (!m) return;
    if (m.channel === 0) stdin.write(m.payload);
    else if (m.channel === 4) onSize(m.payload);
    // The half-close of stdin (v5 only); v4 clients end stdin by closing the socket.
    else if (v5 && m.channel === 255 && m.payload[0] === 0) stdin.end();
  });
  const gone = new Promise<void>((res) => ws.once('close', () => res()));
  ws.once('close', () => stdin.end());
  const stdout = queryBool(q, 'stdout') ? channel(1) : undefined;
  const stderr = queryBool(q, 'stderr') && !tty ? channel(2) : undefined;
  void (async () => {
    const io: SessionIO = {
      stdin: queryBool(q, 'stdin') ? stdin : undefined,
      stdout,
      stderr,
      tty,
      onResize: (fn) => {
        resizes.push(fn);
        for (const s of pendingSizes.splice(0)) fn(s);
      },
    };
    let status: RemoteStatus;
    try {
      const id = checkContainer(kubelet, t);
      status = t.kind === 'exec' ? await runExec(kubelet.runtime, id, q.getAll('command'), io) : await runAttach(kubelet.runtime, id, io, gone);
    } catch (err) {
      status = errorStatus(err instanceof Error ? err.message : String(err));
    }
    // Everything written to stdout/stderr goes out before the status and the close.
    await Promise.all([stdout, stderr].filter((w): w is Writable => Boolean(w)).map((w) => new Promise<void>((res) => w.end(() => res()))));
    // The close frame follows the status a moment later: the Python client waits on the raw socket with
    // select(), so a close that reaches it in the same TLS record as the status sits unread in its buffer.
    sendChannel(ws, 3, Buffer.from(JSON.stringify(status)), () => setTimeout(() => ws.readyState === ws.OPEN && ws.close(1000), STATUS_CLOSE_GAP_MS));
  })();
}

// ---- port-forward ------------------------------------------------------------------------------------------

function servePortForward(kubelet: Kubelet, t: Target, conn: SpdyConnection): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  conn.on('stream', (s: SpdyStream) => {
    const id = s.headers.requestid ?? String(s.headers.streamtype === 'error' ? s.id : s.id - 2);
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    if (s.headers.streamtype === 'error') pair.error = s;
    else if (s.headers.streamtype === 'data') {
      pair.data = s;
      // Bytes may arrive before the pod connection exists; hold them.
      const early: Buffer[] = [];
      let earlyEnd = false;
      const collect = (d: Buffer): number => early.push(d);
      const markEnd = (): void => void (earlyEnd = true);
      s.on('data', collect);
      s.once('end', markEnd);
      (s as SpdyStream & { early?: () => { early: Buffer[]; ended: boolean; stop(): void } }).early = () => ({
        early,
        ended: earlyEnd,
        stop: () => {
          s.off('data', collect);
          s.off('end', markEnd);
        },
      });
    } else {
      s.end();
      return;
    }
    if (!pair.error || !pair.data) return;
    pairs.delete(id);
    void forward(kubelet, t, Number(s.headers.port), pair.data, pair.error);
  });
}

/** The text a failed dial leaves on a port's error stream, worded as the kubelet's CRI streaming does (no uid there). */
function forwardError(pod: Pod, port: number, err: unknown): string {
  return `error forwarding port ${port} to pod ${pod.metadata.name}, uid : ${err instanceof Error ? err.message : String(err)}`;
}

async function forward(kubelet: Kubelet, t: Target, port: number, data: SpdyStream, error: SpdyStream): Promise<void> {
  const held = (data as SpdyStream & { early?: () => { early: Buffer[]; ended: boolean; stop(): void } }).early!();
  let sock: Duplex;
  try {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid port ${port}`);
    sock = await dialPod(kubelet.podAddress(t.pod), port);
  } catch (err) {
    held.stop();
    error.end(Buffer.from(forwardError(t.pod, port, err)));
    data.end();
    return;
  }
  held.stop();
  sock.on('error', () => undefined);
  for (const b of held.early) sock.write(b);
  if (held.ended || data.remoteClosed) sock.end();
  else {
    data.on('data', (d: Buffer) => sock.write(d));
    data.once('end', () => sock.end());
  }
  data.once('reset', () => sock.destroy());
  sock.on('data', (d: Buffer) => data.write(d));
  sock.once('close', () => {
    data.end();
    error.end();
  });
}

function isPortForward(req: http.IncomingMessage): boolean {
  return (req.url ?? '').startsWith('/portForward/');
}

/** Port-forward over a channel protocol: the ports come from the query, so a bad one is refused before upgrading. */
function serveChannelUpgrade(kubelet: Kubelet, t: Target, upgrade: (serve: (ws: WebSocket) => void) => void): void {
  let ports: number[];
  try {
    ports = portForwardPorts(t.query);
  } catch (err) {
    throw new HttpError(400, 'BadRequest', err instanceof Error ? err.message : String(err));
  }
  upgrade((ws) => serveChannelPortForward(ws, ports, (port) => dialPod(kubelet.podAddress(t.pod), port), (port, err) => forwardError(t.pod, port, err)));
}

function servePortForwardTunnel(kubelet: Kubelet, t: Target, ws: WebSocket): void {
  const conn = new SpdyConnection(
    (d) => {
      if (ws.readyState === ws.OPEN) ws.send(d, { binary: true });
    },
    () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  );
  conn.on('error', () => undefined);
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    if (isBinary) conn.push(d);
    else conn.close();
  });
  ws.once('close', () => conn.close());
  servePortForward(kubelet, t, conn);
}
