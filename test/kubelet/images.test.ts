// imagePullPolicy as Kubernetes has it: Always asks the registry every time (here a skiff registry on
// 127.0.0.1, so a newer push is picked up), IfNotPresent reuses the local image; when no registry can be
// reached (SKIFF_OFFLINE=1 here, no network on a laptop) Always runs an image already present with a
// Warning event and a missing one is ErrImagePull, then ImagePullBackOff. A registry that requires basic
// auth is pulled from with the pod's imagePullSecrets or its service account's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { RegistryServer } from '../../src/registry/index.js';
import { makeTempDir, REPO_ROOT } from '../lib/index.js';
import { writeHtpasswd } from '../registry/helpers.js';
import { podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
let registry: RegistryServer;
let dir: string;
let image: string;

before(async () => {
  dir = makeTempDir('kubelet-images');
  registry = new RegistryServer({ root: path.join(dir, 'registry') });
  image = `127.0.0.1:${(await registry.listen(0)).port}/app:latest`;
  c = await startCluster('images');
});
after(async () => {
  await c?.stop();
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Builds FROM busybox with /version = v in a scratch engine root and pushes it as `image`. */
async function pushVersion(v: string): Promise<void> {
  const ctx = path.join(dir, 'ctx');
  fs.mkdirSync(ctx, { recursive: true });
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY version /version\n');
  fs.writeFileSync(path.join(ctx, 'version'), `${v}\n`);
  // Asynchronously: the registry answering the push runs in this process.
  const skiff = (...args: string[]) => promisify(execFile)(path.join(REPO_ROOT, 'bin', 'skiff'), ['--root', path.join(dir, 'engine'), ...args]);
  await skiff('build', '-q', '-t', image, ctx);
  await skiff('push', image);
}

async function versionIn(name: string, policy: string): Promise<string> {
  await c.k('1.33', ['apply', '-f', '-'], podManifest(name, c.node, { containers: [{ name: 'main', image, imagePullPolicy: policy, command: ['sleep', '3600'] }] }));
  await waitFor(`${name} Running`, async () => (await c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Running');
  return c.k('1.33', ['exec', name, '--', 'cat', '/version']);
}

test('Always pulls from the registry each time; IfNotPresent keeps the local image', async () => {
  await pushVersion('v1');
  assert.equal(await versionIn('first', 'Always'), 'v1\n');
  await pushVersion('v2');
  assert.equal(await versionIn('cached', 'IfNotPresent'), 'v1\n');
  assert.equal(await versionIn('fresh', 'Always'), 'v2\n');
  const events = await c.k('1.33', ['get', 'events', '--field-selector', 'involvedObject.name=fresh', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
  assert.match(events, new RegExp(`Pulling: Pulling image "${image}"`));
  assert.match(events, new RegExp(`Pulled: Successfully pulled image "${image}" in \\d+`));
  await c.k('1.33', ['delete', 'pod', 'first', 'cached', 'fresh', '--wait=false']);
});

test('Always with no registry reachable: a present image runs with a Warning, a missing one is ErrImagePull, then ImagePullBackOff', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('offline-present', c.node, { containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'Always', command: ['sleep', '3600'] }] }));
  await waitFor('offline-present Running', async () => (await c.k('1.33', ['get', 'pod', 'offline-present', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  const events = await c.k('1.33', ['get', 'events', '--field-selector', 'involvedObject.name=offline-present', '-o', 'jsonpath={range .items[*]}{.type} {.reason}: {.message}{"\\n"}{end}']);
  assert.match(events, /Warning Failed: Failed to pull image "busybox": .*; using the image already present on the node/);

  await c.k('1.33', ['apply', '-f', '-'], podManifest('offline', c.node, { containers: [{ name: 'main', image: 'nginx', imagePullPolicy: 'Always', command: ['sleep', '3600'] }] }));
  const reason = (): Promise<string> => c.k('1.33', ['get', 'pod', 'offline', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']);
  await waitFor('ErrImagePull', async () => (await reason()) === 'ErrImagePull');
  assert.match(await c.k('1.33', ['get', 'pod', 'offline', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']), /nginx/);
  await waitFor('ImagePullBackOff', async () => (await reason()) === 'ImagePullBackOff', 30_000);
  assert.match(await c.k('1.33', ['get', 'pod', 'offline']), /offline\s+0\/1\s+ImagePullBackOff/);
  await c.k('1.33', ['delete', 'pod', 'offline', 'offline-present', '--wait=false']);
});

test('a registry with basic auth: no secret is ErrImagePull; the pod\'s imagePullSecrets or its service account\'s pull the image', async () => {
  await pushVersion('private');
  // The same repository content behind a second server that requires alice's password.
  writeHtpasswd(path.join(dir, 'htpasswd'), 'alice', 'wonderland');
  const guarded = new RegistryServer({ root: path.join(dir, 'registry'), htpasswd: path.join(dir, 'htpasswd') });
  const host = `127.0.0.1:${(await guarded.listen(0)).port}`;
  try {
    const privateImage = `${host}/app:latest`;
    const pod = (name: string, extra: Record<string, unknown>): string =>
      podManifest(name, c.node, { automountServiceAccountToken: false, ...extra, containers: [{ name: 'main', image: privateImage, imagePullPolicy: 'Always', command: ['sleep', '3600'] }] });
    const reason = (name: string): Promise<string> => c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']);

    await c.k('1.33', ['apply', '-f', '-'], pod('anonymous', { imagePullSecrets: [{ name: 'absent' }] }));
    await waitFor('ErrImagePull without credentials', async () => /^(ErrImagePull|ImagePullBackOff)$/.test(await reason('anonymous')));
    const events = await waitFor('the pull failure event', async () => {
      const out = await c.k('1.33', ['get', 'events', '--field-selector', 'involvedObject.name=anonymous', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
      return /Failed: Failed to pull image .*unauthorized/.test(out) ? out : '';
    });
    assert.match(events, /FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets \(absent\); attempting to pull the image may not succeed\./);

    await c.k('1.33', ['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${host}`, '--docker-username=alice', '--docker-password=wonderland']);
    await c.k('1.33', ['apply', '-f', '-'], pod('with-secret', { imagePullSecrets: [{ name: 'regcred' }] }));
    await waitFor('with-secret Running', async () => (await c.k('1.33', ['get', 'pod', 'with-secret', '-o', 'jsonpath={.status.phase}'])) === 'Running');
    assert.equal(await c.k('1.33', ['exec', 'with-secret', '--', 'cat', '/version']), 'private\n');

    // A legacy .dockercfg secret on a service account serves pods that name no pull secret.
    const dockercfg = Buffer.from(JSON.stringify({ [`http://${host}`]: { auth: Buffer.from('alice:wonderland').toString('base64') } })).toString('base64');
    await c.k('1.33', ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'legacy' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': dockercfg } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'legacy' }] },
      ],
    }));
    await c.k('1.33', ['apply', '-f', '-'], pod('by-account', { serviceAccountName: 'puller' }));
    await waitFor('by-account Running', async () => (await c.k('1.33', ['get', 'pod', 'by-account', '-o', 'jsonpath={.status.phase}'])) === 'Running');
    await c.k('1.33', ['delete', 'pod', 'anonymous', 'with-secret', 'by-account', '--wait=false']);
  } finally {
    await guarded.close();
  }
});
