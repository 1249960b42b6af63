import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolateString, interpolateTree, InterpolationError } from './interpolate.js';
import { parseDotenv } from './dotenv.js';

const env: Record<string, string> = { A: 'a', EMPTY: '', PORT: '8080' };
const lookup = (k: string): string | undefined => env[k];

test('interpolation: plain, braced, defaults, alternatives and $$', () => {
  assert.equal(interpolateString('$A-${A}', lookup), 'a-a');
  assert.equal(interpolateString('${X:-def}|${EMPTY:-def}|${EMPTY-def}|${X-def}', lookup), 'def|def||def');
  assert.equal(interpolateString('${A:+yes}|${EMPTY:+yes}|${EMPTY+yes}|${X+yes}', lookup), 'yes||yes|');
  assert.equal(interpolateString('$$HOME and $${A}', lookup), '$HOME and ${A}');
  assert.equal(interpolateString('127.0.0.1:${PORT}:80', lookup), '127.0.0.1:8080:80');
  assert.equal(interpolateString('${X:-${A}-nested}', lookup), 'a-nested');
  assert.equal(interpolateString('cost $5', lookup), 'cost $5');
});

test('interpolation: unset variables are reported and become empty; :? and ? fail with the message', () => {
  const missing: string[] = [];
  assert.equal(interpolateString('x${NOPE}y$NOPE2', lookup, (n) => missing.push(n)), 'xy');
  assert.deepEqual(missing, ['NOPE', 'NOPE2']);
  assert.throws(() => interpolateString('${NOPE:?set NOPE first}', lookup), { message: 'required variable NOPE is missing a value: set NOPE first' });
  assert.throws(() => interpolateString('${EMPTY:?}', lookup), { message: 'required variable EMPTY is missing a value' });
  assert.equal(interpolateString('${EMPTY?}', lookup), '');
  assert.throws(() => interpolateString('${A', lookup), InterpolationError);
  assert.throws(() => interpolateString('${1A}', lookup), /invalid interpolation format/);
});

test('interpolation applies to values, never to keys', () => {
  assert.deepEqual(interpolateTree({ $A: ['${A}', 3, true, null], n: { k: '$A' } }, lookup), { $A: ['a', 3, true, null], n: { k: 'a' } });
});

test('dotenv: quotes, export, comments, bare keys from the environment', () => {
  const text = [
    '# comment',
    'export A=1',
    'B = two words # trailing comment',
    "C='literal $X # not a comment'",
    'D="line\\nbreak \\"q\\""',
    'E=',
    'FROM_ENV',
    'NOT_IN_ENV',
    '',
  ].join('\n');
  assert.deepEqual(parseDotenv(text, '.env', (k) => (k === 'FROM_ENV' ? 'shell' : undefined)), {
    A: '1', B: 'two words', C: 'literal $X # not a comment', D: 'line\nbreak "q"', E: '', FROM_ENV: 'shell',
  });
  assert.throws(() => parseDotenv('BAD KEY=1', '/p/.env'), /\/p\/.env: line 1: unexpected character/);
  assert.deepEqual(parseDotenv('A=x\nB=${A}-${HOME_DIR}\nC="${B}!"\nD=\'${A}\'\n', '.env', (k) => (k === 'HOME_DIR' ? '/h' : undefined)), { A: 'x', B: 'x-/h', C: 'x-/h!', D: '${A}' });
});
