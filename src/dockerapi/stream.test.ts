import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demux, frame, outputWriters } from './stream.js';

test('stdcopy frames: stream id, three zero bytes, big-endian length, payload', () => {
  const f = frame(2, Buffer.from('oops\n'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 5]);
  assert.equal(f.subarray(8).toString(), 'oops\n');
  const both = Buffer.concat([frame(1, Buffer.from('a')), frame(2, Buffer.from('bc'))]);
  assert.deepEqual(demux(both).map((x) => [x.stream, x.data.toString()]), [[1, 'a'], [2, 'bc']]);
});

test('output is framed per stream without a TTY and raw with one', async () => {
  const sink: Buffer[] = [];
  const framed = outputWriters({ write: (d: Buffer) => sink.push(d) }, false);
  await new Promise<void>((r) => framed.stderr.write(Buffer.from('e'), () => r()));
  assert.deepEqual(demux(Buffer.concat(sink)).map((x) => x.stream), [2]);
  sink.length = 0;
  const raw = outputWriters({ write: (d: Buffer) => sink.push(d) }, true);
  await new Promise<void>((r) => raw.stderr.write(Buffer.from('e'), () => r()));
  assert.equal(Buffer.concat(sink).toString(), 'e');
});
