import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RegistryClient } from './client.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-trust-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const skiffBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/skiff');

test('a registry signed by an authority of NODE_EXTRA_CA_CERTS (handed over as SKIFF_EXTRA_CA_CERTS) is trusted', async () => {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    process.env.SKIFF_EXTRA_CA_CERTS = cert;
    await new RegistryClient({ host, insecure: false }).ping();
  } finally {
    delete process.env.SKIFF_EXTRA_CA_CERTS;
    server.close();
  }
});

test('bin/skiff does not make Node load NODE_EXTRA_CA_CERTS at start (a command without TLS never reads it)', () => {
  const r = spawnSync(skiffBin, ['--help'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /extra certs/);
  // Plain Node warns about the same variable at start, so the check above can fail.
  const plain = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') }, encoding: 'utf8' });
  assert.match(plain.stderr, /Ignoring extra certs/);
});
