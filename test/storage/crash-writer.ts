// Child process for the kill -9 test: creates keys with 16 concurrent writers until killed and
// prints each key on stdout once its create was acknowledged.
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const store = new SqliteStore({ file: process.argv[2] });
let next = 0;
async function writer(): Promise<void> {
  for (;;) {
    const key = `/crash/${next++}`;
    await store.create(key, JSON.stringify({ key, padding: 'x'.repeat(200) }));
    process.stdout.write(`${key}\n`);
  }
}
await Promise.all(Array.from({ length: 16 }, writer));
