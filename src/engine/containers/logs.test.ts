import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimeNano, K8sLogDecoder, parseTimeArg, parseTimeNano, selectHistory } from './logs.js';

test('k8s-file timestamps keep nanoseconds and honour the offset', () => {
  assert.equal(parseTimeNano('2026-11-23T15:02:02.963425124+00:00'), 1795446122963425124n);
  assert.equal(parseTimeNano('2026-11-23T16:02:02.963425124+01:00'), 1795446122963425124n);
  assert.equal(formatTimeNano(1795446122963425124n), '2026-11-23T15:02:02.963425124Z');
  assert.equal(formatTimeNano(1795446122000000000n), '2026-11-23T15:02:02.000000000Z');
});

test('P records join up to the next F of the same stream; a chunk may end mid-record', () => {
  const d = new K8sLogDecoder();
  const text = [
    '2026-11-23T15:02:02.000000001+00:00 stdout P part1-',
    '2026-11-23T15:02:02.000000002+00:00 stderr F err',
    '2026-11-23T15:02:02.000000003+00:00 stdout F part2',
    '2026-11-23T15:02:02.000000004+00:00 stdout F ',
  ].join('\n') + '\n';
  const first = d.push(Buffer.from(text.slice(0, 70)));
  const rest = d.push(Buffer.from(text.slice(70)));
  const msgs = [...first, ...rest].map((m) => `${m.stream}:${m.data.toString()}`);
  assert.deepEqual(msgs, ['stderr:err\n', 'stdout:part1-part2\n', 'stdout:\n']);
  d.push(Buffer.from('2026-11-23T15:02:03.000000000+00:00 stdout P tail\n'));
  assert.deepEqual(d.flush().map((m) => m.data.toString()), ['tail']);
});

test('tail applies before since and until, as docker does', () => {
  const msgs = [1n, 2n, 3n, 4n, 5n].map((t) => ({ timeNano: t, stream: 'stdout' as const, data: Buffer.from(`${t}\n`) }));
  const pick = (o: Parameters<typeof selectHistory>[1]): string[] => selectHistory(msgs, o).map((m) => m.data.toString().trim());
  assert.deepEqual(pick({ tail: 2 }), ['4', '5']);
  assert.deepEqual(pick({ tail: 0 }), []);
  assert.deepEqual(pick({ sinceNano: 3n }), ['3', '4', '5']);
  assert.deepEqual(pick({ tail: 4, untilNano: 3n }), ['2', '3']);
});

test('--since/--until accept unix seconds, RFC 3339 dates and durations', () => {
  assert.equal(parseTimeArg('1700000000'), 1700000000000000000n);
  assert.equal(parseTimeArg('1700000000.5'), 1700000000500000000n);
  assert.equal(parseTimeArg('2026-11-23'), BigInt(Date.parse('2026-11-23T00:00:00Z')) * 1000000n);
  assert.equal(parseTimeArg('2026-11-23T15:02:02Z'), BigInt(Date.parse('2026-11-23T15:02:02Z')) * 1000000n);
  assert.equal(parseTimeArg('10m', 1_000_000), BigInt(1_000_000 - 600_000) * 1000000n);
  assert.equal(parseTimeArg('1h30m', 10_000_000), BigInt(10_000_000 - 5_400_000) * 1000000n);
  assert.throws(() => parseTimeArg('yesterday'), /invalid value/);
});
