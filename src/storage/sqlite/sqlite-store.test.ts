import { after } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerConformanceTests } from '../conformance.js';
import { SqliteStore } from './sqlite-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-sqlite-conformance-'));
let n = 0;
after(() => fs.rmSync(dir, { recursive: true, force: true }));

registerConformanceTests('sqlite', {
  open: async () => new SqliteStore({ file: path.join(dir, `${n++}`, 'state.db'), progressIntervalMs: 300 }),
});
