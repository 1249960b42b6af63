// Bearer-token auth against distribution 2.8 configured with `auth: token`: the test runs the token
// server (basic auth in, an RS256 JWT whose x5c certificate chains to the registry's rootcertbundle out),
// and the client must follow the registry's challenges, ask for the right scopes and push/pull/login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { RegistryClient, RegistryError, MEDIA_TYPES } from '../../src/registry/index.js';
import { dirStore, freePort, tempDir } from './helpers.js';

const SERVICE = 'skiff-test-registry';
const ISSUER = 'skiff-test-issuer';
let dir: string;
let tokenServer: http.Server;
let registry: ChildProcess | undefined;
let host: string;
const scopesAsked: string[] = [];

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function jwt(key: crypto.KeyObject, certDer: Buffer, claims: object): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.sign('sha256', Buffer.from(`${header}.${body}`), key);
  return `${header}.${body}.${b64url(sig)}`;
}

before(async () => {
  dir = tempDir('token');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=skiff-test-issuer'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
  const certDer = new crypto.X509Certificate(fs.readFileSync(certFile)).raw;

  tokenServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (auth !== 'carol:tokens') {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'bad credentials' }));
      return;
    }
    const scope = url.searchParams.getAll('scope').join(' ');
    scopesAsked.push(scope);
    const access = scope.split(' ').filter(Boolean).map((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const token = jwt(key, certDer, { iss: ISSUER, sub: 'carol', aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  const tokenPort = (tokenServer.address() as import('node:net').AddressInfo).port;

  const port = await freePort();
  host = `127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, [
    'version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'storage')}`,
    'http:', `  addr: ${host}`,
    'auth:', '  token:', `    realm: http://127.0.0.1:${tokenPort}/token`, `    service: ${SERVICE}`, `    issuer: ${ISSUER}`, `    rootcertbundle: ${certFile}`,
  ].join('\n') + '\n');
  registry = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`http://${host}/v2/`);
      break;
    } catch {
      await new Promise((res) => setTimeout(res, 100));
    }
  }
});

after(async () => {
  if (registry?.pid && registry.exitCode === null) process.kill(registry.pid, 'SIGKILL');
  await new Promise<void>((resolve) => tokenServer?.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the registry challenges with Bearer; the client fetches scoped tokens with basic credentials', async () => {
  const anon = await fetch(`http://${host}/v2/`);
  assert.equal(anon.status, 401);
  assert.match(anon.headers.get('www-authenticate') ?? '', /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="skiff-test-registry"/);

  const client = new RegistryClient({ host, insecure: true, credentials: { username: 'carol', password: 'tokens' } });
  await client.ping();
  const store = dirStore(path.join(dir, 'blobs'));
  const layer = store.put(crypto.randomBytes(5000));
  const config = store.put(Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'));
  await client.pushBlob('tok/app', layer, store.path(layer));
  await client.pushBlob('tok/app', config, store.path(config));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: config, size: fs.statSync(store.path(config)).size },
    layers: [{ mediaType: MEDIA_TYPES.ociLayer, digest: layer, size: 5000 }],
  }));
  await client.putManifest('tok/app', 'v1', manifest, MEDIA_TYPES.ociManifest);
  assert.ok(scopesAsked.includes('repository:tok/app:pull,push'), scopesAsked.join(' | '));

  const reader = new RegistryClient({ host, insecure: true, credentials: { username: 'carol', password: 'tokens' } });
  const got = await reader.getManifest('tok/app', 'v1');
  assert.deepEqual(got.body, manifest);
  await reader.fetchBlob('tok/app', layer, dirStore(path.join(dir, 'pulled')));
  assert.ok(scopesAsked.includes('repository:tok/app:pull'));

  const wrong = new RegistryClient({ host, insecure: true, credentials: { username: 'carol', password: 'nope' } });
  await assert.rejects(wrong.getManifest('tok/app', 'v1'), (err: RegistryError) => err.status === 401);
});
