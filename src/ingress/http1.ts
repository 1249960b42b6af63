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

/** tchar of RFC 9110 §5.6.2, by character code: the characters a header name may have. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/** Space or horizontal tab: the optional whitespace around a header value. */
const isOWS = (c: number): boolean => c === 0x20 || c === 0x09;

/** The header lines after the first line of `head`, scanned in place (no split, no regular expression per line). */
function parseHeaders(head: string, status: number): string[] {
  const headers: string[] = [];
  let at = head.indexOf('\r\n');
  while (at >= 0) {
    const start = at + 2;
    at = head.indexOf('\r\n', start);
    const end = at < 0 ? head.length : at;
    const colon = head.indexOf(':', start);
    // Obsolete line folding and names with whitespace are refused (request smuggling vectors).
    let nameEnd = colon >= 0 && colon < end ? colon : start;
    for (let i = start; i < nameEnd; i++) {
      const c = head.charCodeAt(i);
      if (c >= 128 || TCHAR[c] === 0) nameEnd = start;
    }
    if (nameEnd === start) throw new HttpError(status, `malformed header line "${head.slice(start, Math.min(end, start + 80))}"`);
    let from = colon + 1;
    let to = end;
    while (from < to && isOWS(head.charCodeAt(from))) from++;
    while (to > from && isOWS(head.charCodeAt(to - 1))) to--;
    headers.push(head.slice(start, colon), head.slice(from, to));
  }
  return headers;
}

/** `head` is the text before the blank line (latin1). */
export function parseRequestHead(head: string): RequestHead {
  const line = firstLine(head);
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/.exec(line);
  if (!m) throw new HttpError(400, `malformed request line "${line.slice(0, 80)}"`);
  return { method: m[1], target: m[2], minor: m[3] === '1' ? 1 : 0, headers: parseHeaders(head, 400) };
}

export function parseResponseHead(head: string): ResponseHead {
  const line = firstLine(head);
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(line);
  if (!m) throw new HttpError(502, `malformed status line "${line.slice(0, 80)}"`);
  return { minor: m[1] === '1' ? 1 : 0, status: Number(m[2]), reason: m[3] ?? '', headers: parseHeaders(head, 502) };
}

function firstLine(head: string): string {
  const end = head.indexOf('\r\n');
  return end < 0 ? head : head.slice(0, end);
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
  const value = headerValue(headers, name);
  const tokens: string[] = [];
  if (value === undefined) return tokens;
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token) tokens.push(token);
  }
  return tokens;
}

export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** A Content-Length value: digits only, few enough to be a safe integer. */
const LENGTH = /^\d{1,15}$/;

function contentLength(headers: string[], status: number): number | undefined {
  const raw = headerValue(headers, 'content-length');
  if (raw === undefined) return undefined;
  if (LENGTH.test(raw)) return Number(raw);
  // Repeated identical values ("5, 5") are one length; anything else is ambiguous.
  const values = new Set(raw.split(',').map((v) => v.trim()));
  const only = [...values][0];
  if (values.size !== 1 || !LENGTH.test(only)) throw new HttpError(status, `invalid Content-Length "${raw}"`);
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
