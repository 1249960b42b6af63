import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternMatcher, readDockerignore } from './dockerignore.js';

const m = (patterns: string[]) => new PatternMatcher(patterns);

test('reading a .dockerignore: comments, blanks, leading slash, cleaning, exceptions', () => {
  assert.deepEqual(readDockerignore('# comment\n\n/node_modules\n ./build/ \n! keep.txt\n*.log\n  # not a comment\n'), [
    'node_modules', 'build', '!keep.txt', '*.log', '# not a comment',
  ]);
});

test('exact names match themselves and everything below a matched directory', () => {
  const p = m(['node_modules', 'secret.txt']);
  assert.equal(p.matches('node_modules'), true);
  assert.equal(p.matches('node_modules/x/y.js'), true);
  assert.equal(p.matches('secret.txt'), true);
  assert.equal(p.matches('sub/secret.txt'), false);
  assert.equal(p.matches('src/index.js'), false);
});

test('single-star and question mark stay within one path segment', () => {
  const p = m(['*.log', 'temp?', '*/cache']);
  assert.equal(p.matches('a.log'), true);
  assert.equal(p.matches('dir/a.log'), false);
  assert.equal(p.matches('temp1'), true);
  assert.equal(p.matches('temp12'), false);
  assert.equal(p.matches('x/cache/file'), true);
  assert.equal(p.matches('x/y/cache'), false);
});

test('double star crosses directories', () => {
  const p = m(['**/*.go', 'docs/**', '**/tmp']);
  assert.equal(p.matches('main.go'), true);
  assert.equal(p.matches('a/b/c.go'), true);
  assert.equal(p.matches('docs/a/b.md'), true);
  assert.equal(p.matches('docs'), false);
  assert.equal(p.matches('tmp'), true);
  assert.equal(p.matches('a/b/tmp/x'), true);
  assert.equal(p.matches('a/b/tmpx'), false);
});

test('exceptions: the last matching pattern wins', () => {
  const p = m(['*.md', '!README.md', 'README-secret.md']);
  assert.equal(p.matches('CHANGES.md'), true);
  assert.equal(p.matches('README.md'), false);
  assert.equal(p.hasExceptions, true);
  const q = m(['!README.md', '*.md']);
  assert.equal(q.matches('README.md'), true);
  const r = m(['docs', '!docs/keep.txt']);
  assert.equal(r.matches('docs/drop.txt'), true);
  assert.equal(r.matches('docs/keep.txt'), false);
});

test('character classes and escapes', () => {
  const p = m(['file[0-9].txt', 'a\\*b']);
  assert.equal(p.matches('file3.txt'), true);
  assert.equal(p.matches('filex.txt'), false);
  assert.equal(p.matches('a*b'), true);
  assert.equal(p.matches('axb'), false);
  assert.throws(() => m(['!']), /illegal exclusion pattern/);
});
