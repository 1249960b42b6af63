// The byte streams of the Docker API: stdcopy's multiplexed frames (8-byte header: stream id, three
// zero bytes, big-endian length) for non-TTY output, and the hijacked connection attach and exec use —
// after `101 UPGRADED` (or 200 for clients that do not ask to upgrade) the socket carries raw stdin one
// way and the output the other, until the server closes it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Writable } from 'node:stream';
import { errorBody, statusOf } from './http.js';

export type StreamId = 0 | 1 | 2;

export function frame(stream: StreamId, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Splits a multiplexed stream back into frames (tests and clients of our own). */
export function demux(data: Buffer): Array<{ stream: StreamId; data: Buffer }> {
  const out: Array<{ stream: StreamId; data: Buffer }> = [];
  let off = 0;
  while (off + 8 <= data.length) {
    const len = data.readUInt32BE(off + 4);
    out.push({ stream: data[off] as StreamId, data: data.subarray(off + 8, off + 8 + len) });
    off += 8 + len;
  }
  return out;
}

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/** API ≥ 1.42 names the stream's framing in Content-Type; older clients always got raw-stream. */
export function streamType(version: string, tty: boolean): string {
  const [major, minor] = version.split('.').map(Number);
  return !tty && (major > 1 || minor >= 42) ? MULTIPLEXED_STREAM : RAW_STREAM;
}

/** Where output goes: framed per stream unless the process has a TTY (then one raw stream). */
export function outputWriters(sink: { write(data: Buffer): unknown }, tty: boolean): { stdout: Writable; stderr: Writable } {
  const writer = (id: StreamId): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        sink.write(tty ? chunk : frame(id, chunk));
        cb();
      },
    });
  return { stdout: writer(1), stderr: writer(2) };
}

/**
 * One side of a hijacked exchange: `input` is what the client sends after the request (stdin), `output`
 * takes the response stream; `end` closes it the way docker does when the process is done.
 */
export interface Hijacked {
  input: NodeJS.ReadableStream;
  output: { write(data: Buffer): unknown };
  end(): void;
  /** Resolves when the client goes away (or `end` was called). */
  closed: Promise<void>;
}

/** A request that arrived with `Upgrade: tcp`: the socket is ours from here on. */
export class UpgradedRequest {
  private started = false;

  constructor(
    readonly req: IncomingMessage,
    readonly socket: Duplex,
    /** Bytes already read past the request head (body, then stdin). */
    private head: Buffer,
  ) {}

  /** Reads the request body (Content-Length bytes) off the socket, keeping what follows for stdin. */
  async body(): Promise<Buffer> {
    const length = Number(this.req.headers['content-length'] ?? 0);
    while (this.head.length < length) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (d: Buffer): void => {
          cleanup();
          resolve(d);
        };
        const onEnd = (): void => {
          cleanup();
          resolve(null);
        };
        const cleanup = (): void => {
          this.socket.off('data', onData);
          this.socket.off('end', onEnd);
          this.socket.off('close', onEnd);
        };
        this.socket.on('data', onData);
        this.socket.on('end', onEnd);
        this.socket.on('close', onEnd);
      });
      if (!chunk) break;
      this.head = Buffer.concat([this.head, chunk]);
    }
    const body = this.head.subarray(0, length);
    this.head = this.head.subarray(length);
    return body;
  }

  /** Answers with a plain HTTP error before any upgrade (the client reads it as a normal response). */
  fail(err: unknown): void {
    if (this.started) {
      this.socket.destroy();
      return;
    }
    const text = errorBody(err);
    const status = statusOf(err);
    this.socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }

  /** Sends `101 UPGRADED` and hands the socket over as a raw two-way stream. */
  upgrade(contentType: string): Hijacked {
    this.started = true;
    const s = this.socket;
    s.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    if (this.head.length) s.unshift(this.head);
    return hijackedSocket(s);
  }
}

function hijackedSocket(s: Duplex): Hijacked {
  const closed = new Promise<void>((resolve) => {
    s.once('close', () => resolve());
    s.once('error', () => resolve());
  });
  return {
    input: s,
    output: { write: (d: Buffer) => !s.destroyed && s.write(d) },
    end: () => {
      if (!s.destroyed) s.end();
    },
    closed,
  };
}

/** The same exchange for a client that did not ask to upgrade: a 200 response carrying the stream. */
export function streamResponse(req: IncomingMessage, res: ServerResponse, contentType: string): Hijacked {
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
  const closed = new Promise<void>((resolve) => {
    res.once('close', () => resolve());
  });
  return {
    input: req,
    output: { write: (d: Buffer) => !res.destroyed && res.write(d) },
    end: () => {
      if (!res.writableEnded) res.end();
    },
    closed,
  };
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 304: 'Not Modified' };
