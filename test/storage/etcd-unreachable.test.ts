// No etcd at the endpoint: calls and watches end with UnavailableError naming it, within the timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { openStore, UnavailableError } from '../../src/storage/index.js';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an unreachable etcd gives UnavailableError for calls and watches', async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const store = await openStore({ endpoint, requestTimeoutMs: 1500 });
  try {
    const began = Date.now();
    await assert.rejects(store.create('/registry/pods/default/a', '{}'), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, new RegExp(`etcd is unavailable at ${endpoint}`));
      return true;
    });
    assert.ok(Date.now() - began < 5000, 'the call gives up after the request timeout');
    await assert.rejects(store.list('/registry/'), UnavailableError);
    const error = await new Promise<Error>((resolve) => store.watch('/registry/', () => undefined, { fromRevision: 0, onError: resolve }));
    assert.ok(error instanceof UnavailableError);
  } finally {
    await store.close();
  }
});
