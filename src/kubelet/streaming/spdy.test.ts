import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPDY_DICTIONARY, SpdyConnection, type SpdyStream } from './spdy.js';

test('the SPDY/3 dictionary is the 1423 bytes whose Adler-32 kubectl announces (e3c6a7c2)', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  let a = 1;
  let b = 0;
  for (const x of SPDY_DICTIONARY) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  assert.equal((((b << 16) | a) >>> 0).toString(16), 'e3c6a7c2');
});

// kubectl's first SYN_STREAM of an exec (stream 1, {streamtype: error}), as captured from kubectl 1.27.
const SYN_ERROR = Buffer.from('800300010000002900000001000000000000' + '78f9e3c6a7c262606060' + '04a7b392a2d4c45c6851c29a0a0a680000' + '0000ffff', 'hex');

/** Header blocks are inflated asynchronously: wait (a bounded while, the machine may be busy) for cond. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('streams are answered at once, data and FIN are routed, PING is echoed, GOAWAY comes last', async () => {
  const sent: Buffer[] = [];
  let ended = false;
  const conn = new SpdyConnection((d) => sent.push(Buffer.from(d)), () => (ended = true));
  const streams: SpdyStream[] = [];
  conn.on('stream', (s: SpdyStream) => streams.push(s));
  // Frames split at arbitrary points, as a WebSocket tunnel delivers them.
  for (let i = 0; i < SYN_ERROR.length; i += 7) conn.push(SYN_ERROR.subarray(i, i + 7));
  await until(() => streams.length > 0);
  assert.equal(streams.length, 1);
  assert.deepEqual(streams[0].headers, { streamtype: 'error' });
  // SYN_REPLY for stream 1: zlib header, a stored block holding an empty header set, the sync marker.
  assert.equal(sent[0].toString('hex'), '8003000200000014000000017801000400fbff00000000000000ffff');
  const received: Buffer[] = [];
  let fin = false;
  streams[0].on('data', (d: Buffer) => received.push(d));
  streams[0].on('end', () => (fin = true));
  conn.push(Buffer.from('0000000101000003616263' + '8003000600000004000000aa', 'hex'));
  await until(() => fin && sent.length > 1);
  assert.equal(Buffer.concat(received).toString(), 'abc');
  assert.equal(fin, true);
  assert.equal(sent[1].toString('hex'), '8003000600000004000000aa', 'PING echoed unchanged');
  streams[0].end(Buffer.from('{"status":"Success"}'));
  conn.goAway();
  assert.equal(sent[sent.length - 1].toString('hex'), '80030007000000080000000000000000');
  assert.equal(ended, true);
});
