// Durability: 1,000 concurrent creates, the server killed with SIGKILL in the middle, then
// restarted on the same data dir — every create that was answered 201 must be there.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { credentialsFrom, request, startTestServer, type TestServer } from '../lib/index.js';

let server: TestServer | undefined;

after(async () => {
  await server?.kill9();
});

describe('kill -9 during creates', () => {
  it('every create answered 201 survives', async () => {
    server = await startTestServer();
    const admin = credentialsFrom(server.kubeconfig);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
    const acknowledged: string[] = [];
    let killed: Promise<void> | undefined;
    const creates = Array.from({ length: 1000 }, (_, i) =>
      request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { agent, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `crash-${i}` }, data: { i: String(i) } } }).then(
        (r) => {
          if (r.status === 201) acknowledged.push(`crash-${i}`);
          if (acknowledged.length === 300 && !killed) killed = server!.kill9();
        },
        () => undefined,
      ),
    );
    await Promise.all(creates);
    await killed;
    agent.destroy();
    assert.ok(acknowledged.length >= 300, `only ${acknowledged.length} creates answered before the kill`);
    assert.ok(acknowledged.length < 1000, 'the server was killed before all creates finished');

    server = await startTestServer({ dataDir: server.dataDir });
    const list = await request(credentialsFrom(server.kubeconfig), 'GET', '/api/v1/namespaces/default/configmaps');
    const stored = new Set(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name));
    const lost = acknowledged.filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], `${lost.length} acknowledged creates lost`);
  });
});
