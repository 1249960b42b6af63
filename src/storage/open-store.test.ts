import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, StoreError } from './index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-open-store-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a data dir opens the embedded SQLite store at <data-dir>/server/db/state.db', async () => {
  const store = await openStore({ dataDir: dir });
  await store.create('/registry/namespaces/default', '{}');
  const file = path.join(dir, 'server', 'db', 'state.db');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'only the server user reads the database (it holds Secrets)');
  assert.equal(fs.statSync(`${file}-wal`).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  await store.close();
  const again = await openStore({ dataDir: dir });
  assert.equal((await again.get('/registry/namespaces/default'))?.value, '{}');
  await again.close();
});

test('an endpoint that is not a URL is refused with a message naming it', async () => {
  await assert.rejects(openStore({ endpoint: '127.0.0.1:2379' }), (err: unknown) => err instanceof StoreError && /not a URL|scheme/.test(err.message));
});
