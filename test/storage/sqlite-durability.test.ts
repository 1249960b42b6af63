import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-sqlite-crash-'));
const children: number[] = [];
after(() => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('every acknowledged write survives kill -9 of the writing process', async () => {
  const file = path.join(dir, 'state.db');
  const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child.pid!);
  const acknowledged: string[] = [];
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.on('exit', () => reject(new Error(`writer exited early after ${acknowledged.length} writes`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acknowledged.push(...lines);
      if (acknowledged.length >= 3000) resolve();
    });
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const store = new SqliteStore({ file });
  after(() => store.close());
  const stored = new Set((await store.list('/crash/')).items.map((kv) => kv.key));
  const lost = acknowledged.filter((key) => !stored.has(key));
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
  const revision = await store.currentRevision();
  assert.ok(revision >= acknowledged.length);
  const kv = await store.create('/crash/after-restart', 'x');
  assert.equal(kv.modRevision, revision + 1, 'revisions continue after the crash');
});
