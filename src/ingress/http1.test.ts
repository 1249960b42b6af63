import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyTracker, ChunkedScanner, HttpError, headerTokens, headerValue, parseRequestHead, parseResponseHead, requestFraming, responseFraming } from './http1.js';

test('request heads: line, headers in order, repeated headers joined as a list', () => {
  const head = parseRequestHead('GET /a?b=1 HTTP/1.1\r\nHost: x.example.com\r\nAccept: a\r\naccept: b\r\nConnection: keep-alive, Upgrade');
  assert.deepEqual([head.method, head.target, head.minor], ['GET', '/a?b=1', 1]);
  assert.equal(headerValue(head.headers, 'accept'), 'a, b');
  assert.deepEqual(headerTokens(head.headers, 'connection'), ['keep-alive', 'upgrade']);
  assert.equal(parseRequestHead('GET / HTTP/1.0').minor, 0);
});

test('header values lose the spaces and tabs around them, nothing else; empty values stay', () => {
  const head = parseRequestHead('GET / HTTP/1.1\r\nA: \t spaced out \t\r\nB:tight\r\nC:\r\nD: in \t between');
  assert.deepEqual(head.headers, ['A', 'spaced out', 'B', 'tight', 'C', '', 'D', 'in \t between']);
});

test('malformed heads are 400 for requests and 502 for responses', () => {
  const badLines = ['Bad Name: x', 'A: b\r\n folded', 'no colon', ': no name', 'B\u00e9: non-ASCII name', 'C : space before the colon', '\tD: tab first'];
  for (const bad of ['GET /', 'GET / HTTP/2.0', ...badLines.map((line) => `GET / HTTP/1.1\r\n${line}`)]) {
    assert.throws(() => parseRequestHead(bad), (e: unknown) => e instanceof HttpError && e.status === 400, bad);
  }
  assert.throws(() => parseResponseHead('HTTP/1.1 abc'), (e: unknown) => e instanceof HttpError && e.status === 502);
  assert.deepEqual(parseResponseHead('HTTP/1.1 204 No Content\r\nA: b'), { minor: 1, status: 204, reason: 'No Content', headers: ['A', 'b'] });
});

test('request framing: Content-Length, chunked, none; both at once or a bad length is refused', () => {
  const req = (h: string) => requestFraming(parseRequestHead(`POST / HTTP/1.1\r\nHost: x${h}`));
  assert.deepEqual(req('\r\nContent-Length: 5'), { kind: 'length', length: 5 });
  assert.deepEqual(req('\r\nContent-Length: 5, 5'), { kind: 'length', length: 5 });
  assert.deepEqual(req('\r\nTransfer-Encoding: gzip, chunked'), { kind: 'chunked' });
  assert.deepEqual(req(''), { kind: 'none' });
  assert.throws(() => req('\r\nContent-Length: 5\r\nTransfer-Encoding: chunked'), HttpError);
  assert.throws(() => req('\r\nContent-Length: 5, 6'), HttpError);
  assert.throws(() => req('\r\nTransfer-Encoding: gzip'), HttpError);
});

test('response framing: HEAD, 1xx/204/304 have no body; no length means until close', () => {
  const res = (h: string) => parseResponseHead(`HTTP/1.1 200 OK${h}`);
  assert.deepEqual(responseFraming('HEAD', res('\r\nContent-Length: 10')), { kind: 'none' });
  assert.deepEqual(responseFraming('GET', parseResponseHead('HTTP/1.1 304 Not Modified\r\nContent-Length: 10')), { kind: 'none' });
  assert.deepEqual(responseFraming('GET', res('\r\nContent-Length: 0')), { kind: 'none' });
  assert.deepEqual(responseFraming('GET', res('\r\nTransfer-Encoding: chunked')), { kind: 'chunked' });
  assert.deepEqual(responseFraming('GET', res('')), { kind: 'close' });
});

test('the chunked scanner finds the end across any split, with extensions and trailers', () => {
  const body = Buffer.from('5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\nNEXT');
  const end = body.length - 4;
  for (let split = 1; split < body.length; split++) {
    const scanner = new ChunkedScanner(502);
    const first = scanner.scan(body.subarray(0, split));
    const found = first >= 0 ? first : split + scanner.scan(body.subarray(split));
    assert.equal(found, end, `split at ${split}`);
  }
  assert.throws(() => new ChunkedScanner(400).scan(Buffer.from('zz\r\n')), HttpError);
  assert.throws(() => new ChunkedScanner(400).scan(Buffer.from('2\r\nabc\r\n')), HttpError);
});

test('the body tracker counts a fixed-length body and leaves the next message alone', () => {
  const t = new BodyTracker({ kind: 'length', length: 6 }, 400);
  assert.equal(t.take(Buffer.from('abc')), 3);
  assert.equal(t.done, false);
  assert.equal(t.take(Buffer.from('defGET /')), 3);
  assert.equal(t.done, true);
  assert.equal(new BodyTracker({ kind: 'none' }, 400).done, true);
});
