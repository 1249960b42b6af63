import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const skiff = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/skiff');

test('every cluster command answers --help with its usage on stdout and exit 0, starting nothing', () => {
  for (const args of [['server'], ['agent'], ['cleanup'], ['hollow-nodes'], ['status'], ['registry'], ['registry', 'serve']]) {
    const r = spawnSync(skiff, [...args, '--help'], { env: { ...process.env, SKIFF_DEV: '1' }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `${args.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: skiff ${args[0]}`), args.join(' '));
  }
});
