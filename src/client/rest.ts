// The HTTP(S) transport every skiff component uses to reach the API server: keep-alive connections,
// JSON bodies, retries (connection refused, stale keep-alive sockets, 429/503 with Retry-After) with
// backoff, failures turned into StatusError, and watch streams decoded event by event.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { KubeObject } from '../api/index.js';
import type { ClientConfig } from './config.js';
import { errorFromResponse } from './errors.js';
import { backoffDelay, sleep } from './backoff.js';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  method?: string;
  /** Absolute path on the server, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  accept?: string;
  /** Give up after this long without an answer (default 60 s; streams have none). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RestClientOptions {
  /** Attempts after the first one for retryable failures (default 8: about 25 s of backoff in all). */
  maxRetries?: number;
  /** Concurrent connections per server (default 64). */
  maxSockets?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface WatchHandlers<T> {
  onEvent(event: WatchEvent<T>): void;
  /** Called once when the stream ends: err is undefined for a normal end (server timeout) or stop(). */
  onClose(err?: Error): void;
}

export interface WatchHandle {
  stop(): void;
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const DEFAULT_TIMEOUT_MS = 60_000;

export class RestClient {
  readonly config: ClientConfig;
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly maxRetries: number;
  private readonly headers: Record<string, string>;

  constructor(config: ClientConfig, options: RestClientOptions = {}) {
    this.config = config;
    this.base = new URL(config.server);
    this.maxRetries = options.maxRetries ?? 8;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({
            ...agentOptions,
            // One context for every connection: building it (parsing CA, cert and key) per socket is costly.
            secureContext: tls.createSecureContext({ ca: config.ca, cert: config.cert, key: config.key }),
            rejectUnauthorized: !config.insecureSkipTLSVerify,
            servername: config.tlsServerName,
          })
        : new http.Agent(agentOptions);
    this.headers = { 'User-Agent': config.userAgent ?? 'skiff/0.1' };
    if (config.token) this.headers.Authorization = `Bearer ${config.token}`;
    else if (config.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
    }
  }

  /** Sends a request and returns the parsed JSON answer (or the text when it is not JSON). */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    const { status, body, contentType } = await this.send(options);
    if (status >= 300) throw errorFromResponse(status, body);
    if (body === '') return undefined as T;
    if (contentType.includes('json') || body.startsWith('{') || body.startsWith('[')) return JSON.parse(body) as T;
    return body as T;
  }

  /** Opens a streaming response (watch, logs -f); a non-2xx answer is thrown as StatusError. */
  async stream(options: RequestOptions): Promise<http.IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.open({ ...options, timeoutMs: options.timeoutMs ?? 0 });
        if (res.statusCode! >= 300) {
          const body = await readBody(res);
          throw errorFromResponse(res.statusCode!, body);
        }
        return res;
      } catch (err) {
        if (!this.retryable(err, 'GET', attempt)) throw err;
        await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 5_000, jitter: 0.2 }), options.signal);
      }
    }
  }

  /**
   * Watches a list path (`?watch=true` is added): each newline-delimited JSON event goes to onEvent,
   * including BOOKMARK and ERROR events, which callers interpret.
   */
  watch<T = KubeObject>(options: RequestOptions, handlers: WatchHandlers<T>): WatchHandle {
    const controller = new AbortController();
    let closed = false;
    const close = (err?: Error): void => {
      if (closed) return;
      closed = true;
      handlers.onClose(controller.signal.aborted ? undefined : err);
    };
    this.stream({ ...options, query: { ...options.query, watch: 'true' }, signal: controller.signal }).then(
      (res) => {
        if (controller.signal.aborted) {
          res.destroy();
          return close();
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          // Walk the lines with an index and cut the buffer once: a chunk can hold hundreds of events.
          let start = 0;
          let newline: number;
          while (!closed && (newline = buffered.indexOf('\n', start)) >= 0) {
            const line = buffered.slice(start, newline).trim();
            start = newline + 1;
            if (!line) continue;
            let event: WatchEvent<T>;
            try {
              event = JSON.parse(line) as WatchEvent<T>;
            } catch {
              res.destroy();
              return close(new Error(`invalid watch event: ${line.slice(0, 200)}`));
            }
            handlers.onEvent(event);
          }
          buffered = buffered.slice(start);
        });
        res.on('end', () => close());
        res.on('error', (err) => close(err));
        res.on('close', () => close());
        controller.signal.addEventListener('abort', () => res.destroy(), { once: true });
      },
      (err: Error) => close(err),
    );
    return {
      stop: () => {
        controller.abort();
        close();
      },
    };
  }

  /** Closes idle keep-alive connections so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async send(options: RequestOptions): Promise<{ status: number; body: string; contentType: string }> {
    const method = (options.method ?? 'GET').toUpperCase();
    for (let attempt = 0; ; attempt++) {
      let res: http.IncomingMessage;
      try {
        res = await this.open(options);
      } catch (err) {
        if (!this.retryable(err, method, attempt)) throw err;
        await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 5_000, jitter: 0.2 }), options.signal);
        continue;
      }
      const body = await readBody(res);
      const status = res.statusCode ?? 0;
      const retryAfter = Number(res.headers['retry-after']);
      if ((status === 429 || status === 503) && Number.isFinite(retryAfter) && retryAfter >= 0 && attempt < this.maxRetries) {
        await sleep(Math.min(retryAfter, 30) * 1000, options.signal);
        continue;
      }
      return { status, body, contentType: String(res.headers['content-type'] ?? '') };
    }
  }

  /**
   * Connection-level failures are retried when the request cannot have been processed: refused
   * connections always; resets for idempotent verbs, or for any verb on a reused keep-alive socket
   * (the server closed it idle just as we wrote — Node's documented pattern).
   */
  private retryable(err: unknown, method: string, attempt: number): boolean {
    if (attempt >= this.maxRetries) return false;
    const e = err as NodeJS.ErrnoException & { reusedSocket?: boolean };
    if (!e || typeof e.code !== 'string' || !RETRYABLE_CODES.has(e.code)) return false;
    return e.code === 'ECONNREFUSED' || IDEMPOTENT.has(method) || e.reusedSocket === true;
  }

  private open(options: RequestOptions): Promise<http.IncomingMessage> {
    const url = new URL(options.path, this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    }
    const headers: Record<string, string | number> = { ...this.headers, Accept: options.accept ?? 'application/json' };
    if (payload) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method: (options.method ?? 'GET').toUpperCase(), headers, agent: this.agent, signal: options.signal }, (res) => {
        req.setTimeout(0);
        resolve(res);
      });
      const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (timeout > 0) {
        req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`request to ${url.pathname} timed out after ${timeout} ms`), { code: 'ETIMEDOUT' })));
      }
      req.on('error', (err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(payload);
    });
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
