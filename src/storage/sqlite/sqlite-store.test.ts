import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerConformanceTests } from '../conformance.js';
import { SqliteStore } from './sqlite-store.js';
import { CompactedError } from '../store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-sqlite-conformance-'));
let n = 0;
after(() => fs.rmSync(dir, { recursive: true, force: true }));

registerConformanceTests('sqlite', {
  open: async () => new SqliteStore({ file: path.join(dir, `${n++}`, 'state.db'), progressIntervalMs: 300 }),
});

describe('sqlite store', () => {
  it('reopening keeps the data, the revision and the compacted revision', async () => {
    const file = path.join(dir, 'reopen', 'state.db');
    const first = new SqliteStore({ file });
    const a = await first.create('/re/a', 'a');
    const b = await first.create('/re/b', 'b');
    await first.delete('/re/b', b.modRevision);
    const revision = await first.currentRevision();
    // Compacting at the delete removes the newest row; the revision must not go back.
    await first.compact(revision);
    await first.close();
    const second = new SqliteStore({ file });
    after(() => second.close());
    assert.equal(await second.currentRevision(), revision);
    assert.equal(await second.compactedRevision(), revision);
    assert.deepEqual(await second.get('/re/a'), a);
    assert.equal((await second.create('/re/c', 'c')).modRevision, revision + 1);
  });

  it('refuses a second process on the same database while the first has it open', async () => {
    const file = path.join(dir, 'exclusive', 'state.db');
    const store = new SqliteStore({ file });
    after(() => store.close());
    await store.create('/ex/a', 'a');
    const script = `import { SqliteStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)};
      try { new SqliteStore({ file: ${JSON.stringify(file)} }); console.log('opened'); } catch (err) { console.log(err.message); }`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(out, /is in use by another process; is another skiff server running with this data dir\?/);
    assert.equal((await store.get('/ex/a'))?.value, 'a', 'the owner is unaffected');
  });

  it('compacts periodically, keeping at least the configured number of revisions', async () => {
    const store = new SqliteStore({ file: path.join(dir, 'periodic', 'state.db'), compactIntervalMs: 50, compactKeepRevisions: 10 });
    after(() => store.close());
    let kv = await store.create('/pc/a', '0');
    for (let i = 1; i < 50; i++) kv = await store.update('/pc/a', `${i}`, kv.modRevision);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const compacted = await store.compactedRevision();
    assert.ok(compacted > 0, 'history was compacted');
    assert.ok(compacted <= kv.modRevision - 10, `kept the last 10 revisions (compacted ${compacted}, current ${kv.modRevision})`);
    await assert.rejects(store.list('/pc/', { revision: 1 }), CompactedError);
    assert.equal((await store.list('/pc/', { revision: kv.modRevision - 10 })).items[0].value, '39');
  });
});
