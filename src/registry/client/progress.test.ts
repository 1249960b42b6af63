import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgress } from './progress.js';

function sink(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.isTTY = isTTY;
  s.text = () => Buffer.concat(chunks).toString();
  return s;
}

test('without a terminal every status is one line and byte progress is left out', () => {
  const out = sink(false);
  const p = createProgress(out);
  p.line('latest: Pulling from library/busybox');
  p.status('a3ed95caeb02', 'Pulling fs layer');
  p.progress('a3ed95caeb02', 'Downloading', 10, 100);
  p.status('a3ed95caeb02', 'Pull complete');
  assert.equal(out.text(), 'latest: Pulling from library/busybox\na3ed95caeb02: Pulling fs layer\na3ed95caeb02: Pull complete\n');
});

test('on a terminal a layer keeps its line, rewritten in place with a progress bar', () => {
  const out = sink(true);
  const p = createProgress(out);
  p.status('aaaaaaaaaaaa', 'Pulling fs layer');
  p.status('bbbbbbbbbbbb', 'Pulling fs layer');
  p.progress('aaaaaaaaaaaa', 'Downloading', 50_000_000, 100_000_000);
  const text = out.text();
  assert.ok(text.startsWith('aaaaaaaaaaaa: Pulling fs layer\nbbbbbbbbbbbb: Pulling fs layer\n'));
  assert.ok(text.includes('\x1b[2A\r\x1b[2Kaaaaaaaaaaaa: Downloading [========================>                         ] 50MB/100MB\r\x1b[2B'), JSON.stringify(text));
});
