// TLS to etcd as k3s's --datastore-cafile/--datastore-certfile/--datastore-keyfile give it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, UnavailableError } from '../../src/storage/index.js';
import { startEtcd } from './etcd-cluster.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-etcd-tls-'));
const file = (name: string): string => path.join(dir, name);
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'ignore' });
};
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=skiff-test-etcd-ca', '-keyout', file('ca.key'), '-out', file('ca.crt'));
fs.writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=skiff-test-etcd', '-keyout', file('etcd.key'), '-out', file('etcd.csr'));
openssl('x509', '-req', '-in', file('etcd.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('ext.cnf'), '-out', file('etcd.crt'));
const tls = { caFile: file('ca.crt'), certFile: file('etcd.crt'), keyFile: file('etcd.key') };
const cluster = await startEtcd(1, tls);
after(async () => {
  await cluster.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the store talks TLS with a client certificate', async () => {
  const store = await openStore({ endpoint: cluster.endpoint, ...tls, prefix: '/tls' });
  after(() => store.close());
  const kv = await store.create('/registry/configmaps/default/a', '{"data":1}');
  assert.deepEqual(await store.get('/registry/configmaps/default/a'), kv);
});

test('without the client certificate etcd refuses, and the store says it is unavailable', async () => {
  const store = await openStore({ endpoint: cluster.endpoint, caFile: tls.caFile, requestTimeoutMs: 2000 });
  after(() => store.close());
  await assert.rejects(store.get('/x'), UnavailableError);
});
