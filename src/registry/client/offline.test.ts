import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient } from './client.js';

test('with SKIFF_OFFLINE=1 a registry off this machine is refused before any connection', async () => {
  const saved = process.env.SKIFF_OFFLINE;
  process.env.SKIFF_OFFLINE = '1';
  try {
    const hub = new RegistryClient({ host: 'registry-1.docker.io', insecure: false });
    await assert.rejects(hub.ping(), /registry-1\.docker\.io not contacted: SKIFF_OFFLINE=1/);
  } finally {
    if (saved === undefined) delete process.env.SKIFF_OFFLINE;
    else process.env.SKIFF_OFFLINE = saved;
  }
});
