// `skiff registry serve` as a user runs it: a foreground process on the given address and root.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const skiffBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/skiff');
let child: ChildProcess | undefined;
const dir = tempDir('regcli');

after(() => {
  if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('skiff registry serve listens, answers the API check and stores under --root', async () => {
  const root = path.join(dir, 'root');
  child = spawn(skiffBin, ['registry', 'serve', '--addr', '127.0.0.1:0', '--root', root], {
    env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child!.on('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1];
  assert.ok(port, line);
  const res = await fetch(`http://127.0.0.1:${port}/v2/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  const missing = await fetch(`http://127.0.0.1:${port}/v2/a/b/manifests/latest`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'latest' } }] });
  assert.ok(fs.existsSync(root));
  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child!.on('exit', resolve));
  assert.equal(code, 0);
});

test('skiff registry serve --tls-cert/--tls-key speaks HTTPS, and the client prefers it', async () => {
  const { spawnSync } = await import('node:child_process');
  const https = await import('node:https');
  const { RegistryClient } = await import('../../src/registry/index.js');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const tlsChild = spawn(skiffBin, ['registry', 'serve', '--addr', '127.0.0.1:0', '--root', path.join(dir, 'tls-root'), '--tls-cert', cert, '--tls-key', key], {
    env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      tlsChild.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on 127\.0\.0\.1:(\d+) \(https\)/.exec(out);
        if (m) resolve(m[1]);
      });
      tlsChild.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const status = await new Promise<number>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: Number(port), path: '/v2/', ca: fs.readFileSync(cert) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 200);
    const client = new RegistryClient({ host: `127.0.0.1:${port}`, insecure: true });
    await client.ping();
    assert.deepEqual(await client.catalog(), []);
  } finally {
    if (tlsChild.pid && tlsChild.exitCode === null) process.kill(tlsChild.pid, 'SIGKILL');
  }
});
