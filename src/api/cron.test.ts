import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronParseError, nextActivation, parseCron } from './cron.js';

const next = (spec: string, after: string) => nextActivation(parseCron(spec), new Date(after))?.toISOString();

test('next activation of standard schedules', () => {
  assert.equal(next('*/5 * * * *', '2026-01-01T10:03:30Z'), '2026-01-01T10:05:00.000Z');
  assert.equal(next('0 * * * *', '2026-01-01T10:00:00Z'), '2026-01-01T11:00:00.000Z');
  assert.equal(next('@daily', '2026-01-01T10:00:00Z'), '2026-01-02T00:00:00.000Z');
  assert.equal(next('30 2 * * mon', '2026-01-01T00:00:00Z'), '2026-01-05T02:30:00.000Z');
  assert.equal(next('0 0 1,15 * *', '2026-01-02T00:00:00Z'), '2026-01-15T00:00:00.000Z');
  assert.equal(next('0 0 13 * 5', '2026-01-01T00:00:00Z'), '2026-01-02T00:00:00.000Z');
  assert.equal(next('@every 90s', '2026-01-01T00:00:00Z'), '2026-01-01T00:01:30.000Z');
  assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined);
});

test('robfig/cron error messages', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['@often', 'unrecognized descriptor: @often'],
  ];
  for (const [spec, message] of cases) assert.throws(() => parseCron(spec), (e: unknown) => e instanceof CronParseError && e.message === message, spec);
});

test('activations in a time zone', () => {
  // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
  assert.equal(nextActivation(parseCron('0 9 * * *'), new Date('2026-01-10T12:00:00Z'), 'Europe/Berlin')?.toISOString(), '2026-01-11T08:00:00.000Z');
  assert.equal(nextActivation(parseCron('0 9 * * *'), new Date('2026-07-10T12:00:00Z'), 'Europe/Berlin')?.toISOString(), '2026-07-11T07:00:00.000Z');
  assert.equal(nextActivation(parseCron('CRON_TZ=Asia/Tokyo 30 0 1 * *'), new Date('2026-01-05T00:00:00Z'))?.toISOString(), '2026-01-31T15:30:00.000Z');
});
