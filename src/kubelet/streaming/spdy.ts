// The server half of SPDY/3.1 as kubectl's spdystream speaks it (no HTTP inside, no flow control):
// frames parsed from a byte stream that may arrive in any pieces (a socket, or the payloads of a
// WebSocket tunnel), client-created streams answered at once with an empty SYN_REPLY, DATA/FIN per
// stream, PING echoed, GOAWAY last. Header blocks arrive zlib-compressed with the SPDY/3 dictionary
// in one stream per connection; our replies carry no headers, so they are fixed stored-block bytes.
import { EventEmitter } from 'node:events';
import zlib from 'node:zlib';

const HEADER_NAMES = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow',
  'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range',
  'referer', 'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning', 'www-authenticate',
  'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content' +
  '301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,' +
  'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): length-prefixed names, then text. */
export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...HEADER_NAMES.map((n) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(n.length);
    return Buffer.concat([len, Buffer.from(n, 'latin1')]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
const MAX_DATA = 32 * 1024;

/** An empty header block as zlib stored blocks; the first one on a connection carries the zlib header. */
const EMPTY_HEADERS_FIRST = Buffer.from([0x78, 0x01, 0x00, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xff, 0xff]);
const EMPTY_HEADERS = EMPTY_HEADERS_FIRST.subarray(2);

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

export function parseHeaderBlock(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 4;
  const count = block.readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const nl = block.readUInt32BE(off);
    const name = block.subarray(off + 4, off + 4 + nl).toString('latin1').toLowerCase();
    off += 4 + nl;
    const vl = block.readUInt32BE(off);
    out[name] = block.subarray(off + 4, off + 4 + vl).toString('latin1').split('\0').join(',');
    off += 4 + vl;
  }
  return out;
}

export class SpdyStream extends EventEmitter {
  /** Set when the client sent FIN (its half is done). */
  remoteClosed = false;
  localClosed = false;

  constructor(
    readonly id: number,
    readonly headers: Record<string, string>,
    private readonly conn: SpdyConnection,
  ) {
    super();
  }

  write(data: Buffer): void {
    if (this.localClosed) return;
    for (let i = 0; i < data.length; i += MAX_DATA) this.conn.sendData(this.id, data.subarray(i, i + MAX_DATA), false);
  }

  /** Half-closes our side (DATA with FIN). */
  end(data?: Buffer): void {
    if (this.localClosed) return;
    if (data?.length) this.write(data);
    this.localClosed = true;
    this.conn.sendData(this.id, Buffer.alloc(0), true);
  }
}

/**
 * One SPDY connection, server side. `write` sends bytes to the client and `end` finishes the transport.
 * Emits 'stream' (SpdyStream) for each client stream, 'close' when the client goes away.
 */
export class SpdyConnection extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflater = zlib.createInflate({ dictionary: SPDY_DICTIONARY });
  private inflated: Buffer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private repliedOnce = false;
  private closed = false;

  constructor(
    private readonly writeOut: (data: Buffer) => void,
    private readonly endOut: () => void,
  ) {
    super();
    this.inflater.on('data', (d: Buffer) => this.inflated.push(d));
    this.inflater.on('error', (err) => this.fail(err));
  }

  /** Feeds bytes from the client; frames are handled strictly in order. */
  push(data: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + length) break;
      const frame = this.buf.subarray(0, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      this.chain = this.chain.then(() => this.handle(frame)).catch((err: unknown) => this.fail(err));
    }
  }

  private fail(err: unknown): void {
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
    this.close();
  }

  private inflate(block: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.inflater.write(block);
      this.inflater.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(this.inflated);
        this.inflated = [];
        resolve(out);
      });
    });
  }

  private async handle(frame: Buffer): Promise<void> {
    const flags = frame[4];
    if ((frame[0] & 0x80) === 0) {
      const s = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      const payload = frame.subarray(8);
      if (payload.length) s.emit('data', Buffer.from(payload));
      if (flags & FLAG_FIN && !s.remoteClosed) {
        s.remoteClosed = true;
        s.emit('end');
      }
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = frame.readUInt32BE(8) & 0x7fffffff;
      const headers = parseHeaderBlock(await this.inflate(frame.subarray(18)));
      const s = new SpdyStream(id, headers, this);
      this.streams.set(id, s);
      // Reply first: the client creates streams one by one and waits for each reply.
      this.writeOut(control(SYN_REPLY, 0, Buffer.concat([u32(id), this.repliedOnce ? EMPTY_HEADERS : EMPTY_HEADERS_FIRST])));
      this.repliedOnce = true;
      this.emit('stream', s);
      if (flags & FLAG_FIN) {
        s.remoteClosed = true;
        s.emit('end');
      }
    } else if (type === RST_STREAM) {
      const s = this.streams.get(frame.readUInt32BE(8) & 0x7fffffff);
      if (s) {
        s.localClosed = true;
        if (!s.remoteClosed) {
          s.remoteClosed = true;
          s.emit('end');
        }
        s.emit('reset');
      }
    } else if (type === PING) {
      this.writeOut(Buffer.from(frame));
    } else if (type === GOAWAY) {
      this.close();
    }
  }

  sendData(id: number, data: Buffer, fin: boolean): void {
    if (this.closed) return;
    const head = Buffer.alloc(8);
    head.writeUInt32BE(id & 0x7fffffff, 0);
    head.writeUInt32BE(data.length, 4);
    head[4] = fin ? FLAG_FIN : 0;
    this.writeOut(data.length ? Buffer.concat([head, data]) : head);
  }

  reset(id: number): void {
    if (!this.closed) this.writeOut(control(RST_STREAM, 0, u32(id, 5)));
  }

  /** Sends GOAWAY (the last frame) and ends the transport. Idempotent. */
  goAway(): void {
    if (this.closed) return;
    this.writeOut(control(GOAWAY, 0, u32(0, 0)));
    this.close();
  }

  /** The transport ended (or must end): every stream sees its end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endOut();
    this.inflater.close();
    for (const s of this.streams.values()) {
      s.localClosed = true;
      if (!s.remoteClosed) {
        s.remoteClosed = true;
        s.emit('end');
      }
    }
    this.emit('close');
  }
}
