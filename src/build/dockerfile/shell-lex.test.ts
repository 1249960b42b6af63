import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords } from './shell-lex.js';

const vars: Record<string, string> = { A: 'a', EMPTY: '', PATHV: '/usr/local/bin/app.tar.gz', SP: 'x  y' };
const env = (name: string): string | undefined => vars[name];

test('plain, braced and missing variables', () => {
  assert.equal(expandWord('$A', env), 'a');
  assert.equal(expandWord('${A}b', env), 'ab');
  assert.equal(expandWord('$Ab', env), '');
  assert.equal(expandWord('x$MISSING-y', env), 'x-y');
  assert.equal(expandWord('cost $', env), 'cost $');
  assert.equal(expandWord('$1', env), '');
});

test('default and alternate modifiers, with and without colon', () => {
  assert.equal(expandWord('${MISSING:-dflt}', env), 'dflt');
  assert.equal(expandWord('${EMPTY:-dflt}', env), 'dflt');
  assert.equal(expandWord('${EMPTY-dflt}', env), '');
  assert.equal(expandWord('${A:-dflt}', env), 'a');
  assert.equal(expandWord('${A:+alt}', env), 'alt');
  assert.equal(expandWord('${EMPTY:+alt}', env), '');
  assert.equal(expandWord('${EMPTY+alt}', env), 'alt');
  assert.equal(expandWord('${MISSING+alt}', env), '');
  assert.equal(expandWord('${MISSING:-$A/x}', env), 'a/x');
});

test('required variables fail with the message', () => {
  assert.throws(() => expandWord('${MISSING?}', env), /MISSING: is not allowed to be unset/);
  assert.throws(() => expandWord('${EMPTY:?must be set}', env), /EMPTY: must be set/);
  assert.equal(expandWord('${A?x}', env), 'a');
});

test('prefix and suffix trimming and replacement', () => {
  assert.equal(expandWord('${PATHV#*/}', env), 'usr/local/bin/app.tar.gz');
  assert.equal(expandWord('${PATHV##*/}', env), 'app.tar.gz');
  assert.equal(expandWord('${PATHV%.*}', env), '/usr/local/bin/app.tar');
  assert.equal(expandWord('${PATHV%%.*}', env), '/usr/local/bin/app');
  assert.equal(expandWord('${PATHV/local/opt}', env), '/usr/opt/bin/app.tar.gz');
  assert.equal(expandWord('${PATHV//a/_}', env), '/usr/loc_l/bin/_pp.t_r.gz');
});

test('quotes and escapes', () => {
  assert.equal(expandWord("'$A'", env), '$A');
  assert.equal(expandWord('"$A b"', env), 'a b');
  assert.equal(expandWord('\\$A', env), '$A');
  assert.equal(expandWord('"\\$A \\"q\\""', env), '$A "q"');
  assert.equal(expandWord('a\\ b', env), 'a b');
  assert.equal(expandWord('`$A', env, '`'), '$A');
});

test('syntax errors name the word', () => {
  assert.throws(() => expandWord('${A', env), /failed to process "\$\{A": syntax error: missing '}'/);
  assert.throws(() => expandWord('${:-x}', env), /bad substitution/);
  assert.throws(() => expandWord('"open', env), /matching double-quote/);
  assert.throws(() => expandWord('${A:#x}', env), /unsupported modifier \(:#\)/);
});

test('words split after substitution but not inside quotes', () => {
  assert.deepEqual(expandWords('$SP "q r" z', env), ['x', 'y', 'q r', 'z']);
});
