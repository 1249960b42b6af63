import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { directoryContext, stdinContext, contextEntries, contextSize, readDockerfile } from './context.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-ctx-test-'));
after(() => fs.rmSync(base, { recursive: true, force: true }));

test('a directory context applies .dockerignore with exceptions', () => {
  const dir = path.join(base, 'd1');
  for (const f of ['Dockerfile', 'app.js', 'debug.log', 'keep.log', 'node_modules/x/index.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), f);
  }
  fs.writeFileSync(path.join(dir, '.dockerignore'), '*.log\n!keep.log\nnode_modules\n');
  const ctx = directoryContext(dir);
  assert.deepEqual(contextEntries(ctx).map((e) => e.rel), ['.dockerignore', 'Dockerfile', 'app.js', 'keep.log']);
  assert.equal(readDockerfile(ctx), 'Dockerfile');
  assert.throws(() => directoryContext(path.join(base, 'missing')), /unable to prepare context: path ".*missing" not found/);
});

test('the context size is the tar stream size docker reports', () => {
  const dir = path.join(base, 'd2');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\n');
  assert.equal(contextSize(directoryContext(dir)), 2048);
});

test('stdin context: a tar is unpacked, anything else is a Dockerfile with an empty context', () => {
  const dir = path.join(base, 'd3');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, 'f.txt'), 'x');
  const tar = spawnSync('tar', ['-c', '-C', dir, '.']).stdout;
  const fromTar = stdinContext(tar);
  assert.equal(fromTar.dockerfile, undefined);
  assert.equal(fs.readFileSync(path.join(fromTar.context.root, 'f.txt'), 'utf8'), 'x');
  fromTar.context.dispose();
  assert.equal(fs.existsSync(fromTar.context.root), false);
  const bare = stdinContext(Buffer.from('FROM busybox\nRUN true\n'));
  assert.equal(bare.dockerfile, 'FROM busybox\nRUN true\n');
  assert.deepEqual(fs.readdirSync(bare.context.root), []);
  bare.context.dispose();
});
