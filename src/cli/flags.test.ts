import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, flagBool, flagList, flagString, flagInt, UsageError, type FlagSpec } from './flags.js';

const specs: FlagSpec[] = [
  { name: 'interactive', short: 'i', kind: 'bool' },
  { name: 'tty', short: 't', kind: 'bool' },
  { name: 'detach', short: 'd', kind: 'bool' },
  { name: 'name', kind: 'string' },
  { name: 'publish', short: 'p', kind: 'list' },
  { name: 'env', short: 'e', kind: 'list' },
  { name: 'time', short: 't2', kind: 'int' },
];

test('docker-style clusters, repeats and stop at the image', () => {
  const p = parseFlags(['-it', '--name=web', '-p', '80:80', '-p8080:80', '-e=A=B', 'busybox', 'sh', '-c', 'echo -n hi'], specs, {
    stopAtPositional: true,
  });
  assert.equal(flagBool(p, 'interactive'), true);
  assert.equal(flagBool(p, 'tty'), true);
  assert.equal(flagBool(p, 'detach'), false);
  assert.equal(flagString(p, 'name'), 'web');
  assert.deepEqual(flagList(p, 'publish'), ['80:80', '8080:80']);
  assert.deepEqual(flagList(p, 'env'), ['A=B']);
  assert.deepEqual(p.positionals, ['busybox', 'sh', '-c', 'echo -n hi']);
});

test('ints are validated and unknown flags refused with a usage error', () => {
  assert.equal(flagInt(parseFlags(['--time', '5'], specs), 'time'), 5);
  assert.throws(() => parseFlags(['--time', 'x'], specs), UsageError);
  assert.throws(() => parseFlags(['--nope'], specs), /unknown flag: --nope/);
  assert.throws(() => parseFlags(['--name'], specs), /flag needs an argument/);
});

test('-- ends flags and negative numbers are positionals', () => {
  const p = parseFlags(['--detach', '--', '-it'], specs);
  assert.equal(flagBool(p, 'detach'), true);
  assert.deepEqual(p.positionals, ['-it']);
  assert.deepEqual(parseFlags(['-5'], specs).positionals, ['-5']);
});
