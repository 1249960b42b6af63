import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-compile-cache-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Loads dir/lib.cjs in a fresh process with the compile cache on, as dist/main.cjs loads a command bundle. */
function load(): string {
  const cache = fileURLToPath(new URL('./compile-cache.ts', import.meta.url));
  const script = `import { createRequire } from 'node:module';
import { enableCompileCache } from ${JSON.stringify(cache)};
enableCompileCache(${JSON.stringify(dir)}, 'run');
const lib = createRequire(import.meta.url)(${JSON.stringify(path.join(dir, 'lib.cjs'))});
process.stdout.write(lib.answer() + ' ' + lib.where);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a bundle runs the same with its cache, and a rebuilt bundle never runs an old cache', () => {
  fs.writeFileSync(path.join(dir, 'lib.cjs'), 'module.exports = { answer: () => 41, where: __filename };');
  assert.equal(load(), `41 ${path.join(dir, 'lib.cjs')}`);
  const first = fs.readdirSync(path.join(dir, 'cache'));
  assert.equal(first.length, 1, 'the first run writes the cache');
  assert.match(first[0], /^lib\.cjs-run-/);
  assert.equal(load(), `41 ${path.join(dir, 'lib.cjs')}`);
  // Same length, other code: V8 alone would accept the old cache for it.
  fs.writeFileSync(path.join(dir, 'lib.cjs'), 'module.exports = { answer: () => 42, where: __filename };');
  fs.utimesSync(path.join(dir, 'lib.cjs'), new Date(), new Date(Date.now() + 5000));
  assert.equal(load(), `42 ${path.join(dir, 'lib.cjs')}`);
  assert.equal(fs.readdirSync(path.join(dir, 'cache')).length, 2);
});
