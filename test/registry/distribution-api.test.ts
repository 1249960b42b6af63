// The client against skiff's own registry server and against Debian's docker-registry (distribution
// 2.8): the same push/pull/mount/tag/catalog/delete scenario must pass on both.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { RegistryServer, RegistryClient, RegistryError, MEDIA_TYPES, sha256Digest } from '../../src/registry/index.js';
import { dirStore, startDistribution, tempDir, writeHtpasswd, type DistributionRegistry } from './helpers.js';

interface Target {
  host: string;
  stop(): Promise<void> | void;
}

type Starter = (dir: string, htpasswd?: string) => Promise<Target>;

function scenario(name: string, start: Starter): void {
  describe(name, () => {
    let dir: string;
    let target: Target;
    before(async () => {
      dir = tempDir('regapi');
      target = await start(dir);
    });
    after(async () => {
      await target?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('push an image (monolithic and chunked blobs), pull it back verified, mount it into another repo', async () => {
      const client = new RegistryClient({ host: target.host, insecure: true });
      await client.ping();
      const src = dirStore(path.join(dir, 'src'));
      const layer1 = src.put(crypto.randomBytes(300_000));
      const layer2 = src.put(crypto.randomBytes(1000));
      const config = src.put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
      assert.equal(await client.blobSize('test/app', layer1), undefined);
      await client.pushBlob('test/app', layer1, src.path(layer1), { chunkSize: 100_000 });
      await client.pushBlob('test/app', layer2, src.path(layer2));
      await client.pushBlob('test/app', config, src.path(config));
      assert.equal(await client.blobSize('test/app', layer1), 300_000);
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest,
        config: { mediaType: MEDIA_TYPES.dockerConfig, digest: config, size: fs.statSync(src.path(config)).size },
        layers: [layer1, layer2].map((d) => ({ mediaType: MEDIA_TYPES.dockerLayer, digest: d, size: fs.statSync(src.path(d)).size })),
      }));
      const digest = await client.putManifest('test/app', 'v1', manifest, MEDIA_TYPES.dockerManifest);
      assert.equal(digest, sha256Digest(manifest));

      const got = await client.getManifest('test/app', 'v1');
      assert.equal(got.digest, digest);
      assert.equal(got.mediaType, MEDIA_TYPES.dockerManifest);
      assert.deepEqual(got.body, manifest);
      assert.equal((await client.getManifest('test/app', digest)).digest, digest);

      const dst = dirStore(path.join(dir, 'dst'));
      for (const d of [config, layer1, layer2]) await client.fetchBlob('test/app', d, dst);
      assert.deepEqual(fs.readFileSync(dst.path(layer1)), fs.readFileSync(src.path(layer1)));

      assert.equal(await client.mountBlob('other/app', layer1, 'test/app'), true);
      assert.equal(await client.blobSize('other/app', layer1), 300_000);
      assert.equal(await client.mountBlob('other/app', layer2, 'no/such'), false);

      assert.deepEqual(await client.tags('test/app'), ['v1']);
      await client.putManifest('test/app', 'v2', manifest, MEDIA_TYPES.dockerManifest);
      assert.deepEqual(await client.tags('test/app'), ['v1', 'v2']);
      const catalog = await client.catalog(1);
      assert.ok(catalog.includes('test/app'), JSON.stringify(catalog));
    });

    test('an OCI index of manifests, and manifests that reference missing blobs are refused', async () => {
      const client = new RegistryClient({ host: target.host, insecure: true });
      const src = dirStore(path.join(dir, 'src2'));
      const config = src.put(Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'));
      await client.pushBlob('idx/app', config, src.path(config));
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: config, size: fs.statSync(src.path(config)).size }, layers: [],
      }));
      const mdigest = await client.putManifest('idx/app', sha256Digest(manifest), manifest, MEDIA_TYPES.ociManifest);
      const index = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex,
        manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest: mdigest, size: manifest.length, platform: { architecture: 'amd64', os: 'linux' } }],
      }));
      await client.putManifest('idx/app', 'latest', index, MEDIA_TYPES.ociIndex);
      const got = await client.getManifest('idx/app', 'latest');
      assert.equal(got.mediaType, MEDIA_TYPES.ociIndex);

      const missing = `sha256:${'0'.repeat(64)}`;
      const bad = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: missing, size: 2 }, layers: [],
      }));
      await assert.rejects(client.putManifest('idx/app', 'bad', bad, MEDIA_TYPES.ociManifest),
        (err: RegistryError) => err.code === 'MANIFEST_BLOB_UNKNOWN' && err.status === 400);
      await assert.rejects(client.getManifest('idx/app', 'nope'), (err: RegistryError) => err.code === 'MANIFEST_UNKNOWN' && err.status === 404);
      await assert.rejects(client.tags('never/pushed'), (err: RegistryError) => err.code === 'NAME_UNKNOWN');
    });

    test('a blob whose digest does not match is refused; a manifest deleted by digest is gone', async () => {
      const client = new RegistryClient({ host: target.host, insecure: true });
      const src = dirStore(path.join(dir, 'src3'));
      const real = src.put(Buffer.from('hello'));
      const lie = `sha256:${'1'.repeat(64)}`;
      fs.copyFileSync(src.path(real), src.path(lie));
      await assert.rejects(client.pushBlob('del/app', lie, src.path(lie)), (err: RegistryError) => err.code === 'DIGEST_INVALID');

      const config = src.put(Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]},"os":"linux","architecture":"amd64"}'));
      await client.pushBlob('del/app', config, src.path(config));
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: config, size: fs.statSync(src.path(config)).size }, layers: [],
      }));
      const digest = await client.putManifest('del/app', 'gone', manifest, MEDIA_TYPES.ociManifest);
      const res = await client.request('DELETE', `/v2/del/app/manifests/${digest}`, 'repository:del/app:delete');
      res.body.resume();
      assert.equal(res.status, 202);
      await assert.rejects(client.getManifest('del/app', digest), (err: RegistryError) => err.status === 404);
    });

    test('basic auth: anonymous requests get 401 with a challenge, credentials work', async () => {
      const authDir = tempDir('regauth');
      const htpasswd = path.join(authDir, 'htpasswd');
      writeHtpasswd(htpasswd, 'alice', 's3cret');
      const secured = await start(authDir + '/r', htpasswd);
      try {
        const anon = new RegistryClient({ host: secured.host, insecure: true });
        await assert.rejects(anon.ping(), (err: RegistryError) => err.status === 401);
        const raw = await fetch(`http://${secured.host}/v2/`);
        assert.equal(raw.status, 401);
        assert.match(raw.headers.get('www-authenticate') ?? '', /^Basic realm=/);
        assert.equal((await raw.json() as { errors: Array<{ code: string }> }).errors[0].code, 'UNAUTHORIZED');
        const wrong = new RegistryClient({ host: secured.host, insecure: true, credentials: { username: 'alice', password: 'nope' } });
        await assert.rejects(wrong.ping(), (err: RegistryError) => err.status === 401);
        const ok = new RegistryClient({ host: secured.host, insecure: true, credentials: { username: 'alice', password: 's3cret' } });
        await ok.ping();
        const src = dirStore(path.join(authDir, 'src'));
        const blob = src.put(Buffer.from('secured'));
        await ok.pushBlob('sec/app', blob, src.path(blob));
        assert.equal(await ok.blobSize('sec/app', blob), 7);
      } finally {
        await secured.stop();
        fs.rmSync(authDir, { recursive: true, force: true });
      }
    });
  });
}

const skiff: Starter = async (dir, htpasswd) => {
  const server = new RegistryServer({ root: path.join(dir, 'root'), htpasswd });
  const addr = await server.listen(0);
  return { host: `127.0.0.1:${addr.port}`, stop: () => server.close() };
};

const distribution: Starter = async (dir, htpasswd) => {
  fs.mkdirSync(dir, { recursive: true });
  const reg: DistributionRegistry = await startDistribution(dir, htpasswd);
  return { host: reg.host, stop: () => reg.stop() };
};

scenario('skiff registry server', skiff);
scenario('distribution 2.8 (docker-registry)', distribution);
