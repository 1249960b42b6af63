// pullImage/pushImage end to end over HTTP: docker's status lines, skipping blobs the other side has,
// choosing linux/amd64 from an index, mirrors for docker.io images, credentials from config.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import {
  RegistryServer, pullImage, pushImage, saveCredentials, loadCredentials, MEDIA_TYPES, sha256Digest,
  type ProgressOutput, type ImageRef, type PushableImage,
} from '../../src/registry/index.js';
import { dirStore, tempDir, writeHtpasswd } from './helpers.js';

let dir: string;
let server: RegistryServer;
let host: string;
let mirror: RegistryServer;
let mirrorUrl: string;
const creds = { username: 'bob', password: 'pw' };

before(async () => {
  dir = tempDir('pullpush');
  writeHtpasswd(path.join(dir, 'htpasswd'), creds.username, creds.password);
  server = new RegistryServer({ root: path.join(dir, 'reg'), htpasswd: path.join(dir, 'htpasswd') });
  host = `127.0.0.1:${(await server.listen(0)).port}`;
  mirror = new RegistryServer({ root: path.join(dir, 'mirror') });
  mirrorUrl = `http://127.0.0.1:${(await mirror.listen(0)).port}`;
});

after(async () => {
  await server?.close();
  await mirror?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function recorder(): ProgressOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, status: (id, t) => lines.push(`${id}: ${t}`), progress: () => undefined, line: (t) => lines.push(t) };
}

function makeImage(storeDir: string, layerCount: number): { store: ReturnType<typeof dirStore>; image: PushableImage } {
  const store = dirStore(storeDir);
  const layers = Array.from({ length: layerCount }, (_, i) => {
    const digest = store.put(crypto.randomBytes(10_000 + i));
    return { mediaType: MEDIA_TYPES.dockerLayer, digest, size: 10_000 + i };
  });
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
  const config = { mediaType: MEDIA_TYPES.dockerConfig, digest: store.put(configBytes), size: configBytes.length };
  const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config, layers }));
  return { store, image: { manifestBytes, mediaType: MEDIA_TYPES.dockerManifest, config, layers } };
}

test('push with basic auth from config.json, then pull into a fresh store with docker\'s lines', async () => {
  const configFile = path.join(dir, 'docker', 'config.json');
  saveCredentials(host, creds, configFile);
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);
  assert.deepEqual(loadCredentials(host, configFile), creds);
  const credentials = (h: string) => loadCredentials(h, configFile);
  const settings = { mirrors: [], insecure: [] };
  const { store, image } = makeImage(path.join(dir, 'a'), 2);
  const ref: ImageRef = { domain: host, path: 'team/app', tag: 'v1', digest: '' };

  const out1 = recorder();
  const digest = await pushImage(ref, image, { store, progress: out1, settings, credentials, chunkSize: 4096 });
  assert.equal(digest, sha256Digest(image.manifestBytes));
  const [l0, l1] = image.layers.map((l) => l.digest.slice(7, 19));
  assert.deepEqual(out1.lines, [
    `The push refers to repository [${host}/team/app]`,
    `${l1}: Preparing`, `${l0}: Preparing`, `${l1}: Pushed`, `${l0}: Pushed`,
    `v1: digest: ${digest} size: ${image.manifestBytes.length}`,
  ]);

  const out2 = recorder();
  await pushImage({ ...ref, path: 'team/copy' }, image, { store, progress: out2, settings, credentials, mountSources: () => ['team/app'] });
  assert.ok(out2.lines.includes(`${l0}: Mounted from team/app`), out2.lines.join('\n'));
  const out3 = recorder();
  await pushImage(ref, image, { store, progress: out3, settings, credentials });
  assert.ok(out3.lines.includes(`${l0}: Layer already exists`));

  const fresh = dirStore(path.join(dir, 'b'));
  const out4 = recorder();
  let imported = 0;
  const pulled = await pullImage(ref, {
    store: fresh, progress: out4, settings, credentials, displayName: `${host}/team/app:v1`,
    importImage: async () => ({ upToDate: imported++ > 0 }),
  });
  assert.equal(pulled.repoDigest, digest);
  assert.ok(fresh.has(image.config.digest) && fresh.has(image.layers[0].digest) && fresh.has(image.layers[1].digest));
  assert.deepEqual(out4.lines, [
    'v1: Pulling from team/app',
    `${l0}: Pulling fs layer`, `${l1}: Pulling fs layer`,
    ...out4.lines.slice(3, 7),
    `${l0}: Pull complete`, `${l1}: Pull complete`,
    `Digest: ${digest}`,
    `Status: Downloaded newer image for ${host}/team/app:v1`,
  ]);
  const out5 = recorder();
  await pullImage(ref, { store: fresh, progress: out5, settings, credentials, displayName: 'x', importImage: async () => ({ upToDate: imported++ > 0 }) });
  assert.ok(out5.lines.includes(`${l0}: Already exists`));
  assert.equal(out5.lines.at(-1), 'Status: Image is up to date for x');
});

test('pull without credentials is denied with docker\'s hint; unknown tags say manifest unknown', async () => {
  const settings = { mirrors: [], insecure: [] };
  const common = { store: dirStore(path.join(dir, 'c')), progress: recorder(), settings, displayName: 'x', importImage: async () => ({ upToDate: false }) };
  await assert.rejects(pullImage({ domain: host, path: 'team/app', tag: 'v1', digest: '' }, { ...common, credentials: () => undefined }),
    /pull access denied for 127\.0\.0\.1:\d+\/team\/app, repository does not exist or may require 'docker login'/);
  await assert.rejects(pullImage({ domain: host, path: 'team/app', tag: 'nope', digest: '' }, { ...common, credentials: () => creds }),
    /manifest for 127\.0\.0\.1:\d+\/team\/app:nope not found: manifest unknown: manifest unknown/);
});

test('docker.io images come from the configured mirror; an index resolves to linux/amd64', async () => {
  const settings = { mirrors: [mirrorUrl], insecure: [] };
  const mirrorHost = new URL(mirrorUrl).host;
  const { store, image } = makeImage(path.join(dir, 'd'), 1);
  const ref: ImageRef = { domain: mirrorHost, path: 'library/busybox', tag: 'tmp', digest: '' };
  await pushImage(ref, image, { store, progress: recorder(), settings });
  const armBytes = Buffer.from(JSON.stringify({ ...JSON.parse(image.manifestBytes.toString()), annotations: { arch: 'arm64' } }));
  const { RegistryClient } = await import('../../src/registry/index.js');
  const client = new RegistryClient({ host: mirrorHost, insecure: true });
  await client.putManifest('library/busybox', sha256Digest(armBytes), armBytes, MEDIA_TYPES.dockerManifest);
  const amdDigest = sha256Digest(image.manifestBytes);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifestList,
    manifests: [
      { mediaType: MEDIA_TYPES.dockerManifest, digest: sha256Digest(armBytes), size: armBytes.length, platform: { os: 'linux', architecture: 'arm64' } },
      { mediaType: MEDIA_TYPES.dockerManifest, digest: amdDigest, size: image.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }));
  const listDigest = await client.putManifest('library/busybox', 'latest', index, MEDIA_TYPES.dockerManifestList);

  const out = recorder();
  const pulled = await pullImage({ domain: 'docker.io', path: 'library/busybox', tag: 'latest', digest: '' }, {
    store: dirStore(path.join(dir, 'e')), progress: out, settings, displayName: 'busybox:latest', importImage: async () => ({ upToDate: false }),
  });
  assert.equal(pulled.repoDigest, listDigest);
  assert.equal(pulled.manifestDigest, amdDigest);
  assert.equal(out.lines[0], 'latest: Pulling from library/busybox');
  assert.equal(out.lines.at(-1), 'Status: Downloaded newer image for busybox:latest');
});
