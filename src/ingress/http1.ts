// HTTP/1.x message framing for the ingress proxy, after RFC 9112: request and response heads parsed
// from raw bytes, how each message's body ends (none, Content-Length, chunked, or connection close),
// and a chunked-body scanner that finds the end of a body without decoding it, so bodies are relayed
// byte for byte as they arrive and never buffered. Pure: no sockets here.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The largest request or response head accepted (nginx's large_client_header_buffers is 4 × 8k). */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface RequestHead {
  method: string;
  target: string;
  /** Minor version: 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: number;
  /** Flat [name, value, name, value, …] in arrival order. */
  headers: string[];
}

export interface ResponseHead {
  status: number;
  reason: string;
  minor: number;
  headers: string[];
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaders(lines: string[], status: number): string[] {
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    // Obsolete line folding and names with whitespace are refused (request smuggling vectors).
    if (colon <= 0 || line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) throw new HttpError(status, `malformed header line "${line.slice(0, 80)}"`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HttpError(status, `malformed header name "${name.slice(0, 80)}"`);
    headers.push(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** `head` is the text before the blank line (latin1). */
export function parseRequestHead(head: string): RequestHead {
  const lines = head.split('\r\n');
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!m) throw new HttpError(400, `malformed request line "${lines[0].slice(0, 80)}"`);
  return { method: m[1], target: m[2], minor: Number(m[3]), headers: parseHeaders(lines, 400) };
}

export function parseResponseHead(head: string): ResponseHead {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new HttpError(502, `malformed status line "${lines[0].slice(0, 80)}"`);
  return { minor: Number(m[1]), status: Number(m[2]), reason: m[3] ?? '', headers: parseHeaders(lines, 502) };
}

/** Every value of a header (name in lower case), joined as a list ("a, b"); undefined when absent. */
export function headerValue(headers: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].length === name.length && headers[i].toLowerCase() === name) value = value === undefined ? headers[i + 1] : `${value}, ${headers[i + 1]}`;
  }
  return value;
}

/** The comma-separated tokens of a header, lower case ("Connection: close, Upgrade" → close, upgrade). */
export function headerTokens(headers: string[], name: string): string[] {
  return (headerValue(headers, name) ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

function contentLength(headers: string[], status: number): number | undefined {
  const raw = headerValue(headers, 'content-length');
  if (raw === undefined) return undefined;
  // Repeated identical values ("5, 5") are one length; anything else is ambiguous.
  const values = new Set(raw.split(',').map((v) => v.trim()));
  const only = [...values][0];
  if (values.size !== 1 || !/^\d{1,15}$/.test(only)) throw new HttpError(status, `invalid Content-Length "${raw}"`);
  return Number(only);
}

function isChunked(headers: string[], status: number): boolean | undefined {
  const codings = headerTokens(headers, 'transfer-encoding');
  if (codings.length === 0) return undefined;
  if (codings[codings.length - 1] !== 'chunked') throw new HttpError(status, `unsupported Transfer-Encoding "${codings.join(', ')}"`);
  return true;
}

export function requestFraming(head: RequestHead): Framing {
  const chunked = isChunked(head.headers, 400);
  const length = contentLength(head.headers, 400);
  // Both at once is how requests are smuggled past proxies: refused, as RFC 9112 §6.3 allows.
  if (chunked && length !== undefined) throw new HttpError(400, 'both Transfer-Encoding and Content-Length');
  if (chunked) return { kind: 'chunked' };
  return length ? { kind: 'length', length } : { kind: 'none' };
}

export function responseFraming(method: string, head: ResponseHead): Framing {
  if (method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304) return { kind: 'none' };
  if (isChunked(head.headers, 502)) return { kind: 'chunked' };
  const length = contentLength(head.headers, 502);
  if (length !== undefined) return length ? { kind: 'length', length } : { kind: 'none' };
  return { kind: 'close' };
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Finds where a chunked body ends (after the last chunk and the trailers), across any split of its bytes. */
export class ChunkedScanner {
  private state: 'size' | 'extension' | 'data' | 'data-end' | 'trailer' = 'size';
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineLength = 0;

  constructor(private readonly errorStatus: number) {}

  /** The index just past the body's end within `buf`, or -1 when all of `buf` belongs to the body. */
  scan(buf: Uint8Array): number {
    let i = 0;
    while (i < buf.length) {
      const c = buf[i];
      switch (this.state) {
        case 'size':
        case 'extension':
          i++;
          if (c === 0x0a) {
            if (this.digits === 0) throw new HttpError(this.errorStatus, 'malformed chunk size');
            if (this.size === 0) {
              this.state = 'trailer';
              this.lineLength = 0;
            } else {
              this.state = 'data';
              this.remaining = this.size;
            }
            this.size = 0;
            this.digits = 0;
          } else if (this.state === 'extension' || c === 0x0d || c === 0x20 || c === 0x09) {
            if (this.digits > 0 && c !== 0x0d) this.state = 'extension';
          } else if (c === 0x3b) {
            this.state = 'extension';
          } else {
            const d = hexDigit(c);
            if (d < 0 || ++this.digits > 12) throw new HttpError(this.errorStatus, 'malformed chunk size');
            this.size = this.size * 16 + d;
          }
          break;
        case 'data': {
          const take = Math.min(this.remaining, buf.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = 'data-end';
            this.lineLength = 0;
          }
          break;
        }
        case 'data-end':
          // The CRLF after a chunk's data.
          i++;
          if (c === 0x0a) this.state = 'size';
          else if (c !== 0x0d) throw new HttpError(this.errorStatus, 'chunk data longer than its size');
          break;
        case 'trailer':
          i++;
          if (c === 0x0a) {
            if (this.lineLength === 0) {
              this.state = 'size';
              return i;
            }
            this.lineLength = 0;
          } else if (c !== 0x0d) this.lineLength++;
          break;
      }
    }
    return -1;
  }
}

/** Counts a message body through as its bytes arrive: how many of them belong to it, and whether it ended. */
export class BodyTracker {
  private remaining: number;
  private readonly chunks?: ChunkedScanner;
  done: boolean;

  constructor(
    private readonly framing: Framing,
    errorStatus: number,
  ) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.chunks = framing.kind === 'chunked' ? new ChunkedScanner(errorStatus) : undefined;
    this.done = framing.kind === 'none';
  }

  /** The number of leading bytes of `buf` that belong to the body (the rest is the next message). */
  take(buf: Uint8Array): number {
    if (this.done) return 0;
    switch (this.framing.kind) {
      case 'length': {
        const n = Math.min(this.remaining, buf.length);
        this.remaining -= n;
        this.done = this.remaining === 0;
        return n;
      }
      case 'chunked': {
        const end = this.chunks!.scan(buf);
        if (end < 0) return buf.length;
        this.done = true;
        return end;
      }
      default:
        return buf.length;
    }
  }
}
