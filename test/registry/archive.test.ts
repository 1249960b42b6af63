// save/load interchange with Debian's skopeo: skopeo reads what skiff saves, and OCI layouts and
// docker archives that skopeo writes load into skiff and run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cleanupRoot, ok, skiff, SKIFF, tempDir, writeContext } from '../build/helpers.js';

let base: string;
let root: string;

before(async () => {
  base = tempDir('archive');
  root = path.join(base, 'root');
  const ctx = writeContext(path.join(base, 'ctx'), {
    Dockerfile: 'FROM busybox\nCOPY msg.txt /msg.txt\nCMD ["cat", "/msg.txt"]\n',
    'msg.txt': 'saved and loaded\n',
  });
  await ok(root, ['build', '-q', '-t', 'arch/app:v1', ctx]);
});

after(async () => {
  for (const r of ['root', 'root2', 'root3', 'root4', 'root6']) await cleanupRoot(path.join(base, r));
  fs.rmSync(base, { recursive: true, force: true });
});

function skopeo(...args: string[]): string {
  const r = spawnSync('skopeo', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('save writes a docker archive that skopeo inspects and skiff loads into a fresh root', async () => {
  const file = path.join(base, 'app.tar');
  await ok(root, ['save', '-o', file, 'arch/app:v1', 'busybox']);
  const listing = spawnSync('tar', ['-tf', file], { encoding: 'utf8' }).stdout.split('\n');
  for (const member of ['manifest.json', 'repositories', 'index.json', 'oci-layout']) assert.ok(listing.includes(member), listing.join(' '));
  const manifest = JSON.parse(spawnSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }).stdout) as Array<{ RepoTags: string[] }>;
  assert.deepEqual(manifest.map((m) => m.RepoTags), [['arch/app:v1'], ['busybox:latest']]);

  const inspected = JSON.parse(skopeo('inspect', `docker-archive:${file}:arch/app:v1`)) as { Layers: string[]; Os: string; Architecture: string };
  assert.equal(inspected.Os, 'linux');
  assert.equal(inspected.Architecture, 'amd64');
  assert.equal(inspected.Layers.length, 2);
  const imageId = (await ok(root, ['inspect', '--format', '{{.Id}}', 'arch/app:v1'])).trim();
  const config = JSON.parse(skopeo('inspect', '--config', `docker-archive:${file}:arch/app:v1`)) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, inspected.Layers);

  const root2 = path.join(base, 'root2');
  const loaded = await ok(root2, ['load', '-i', file]);
  assert.equal(loaded, 'Loaded image: arch/app:v1\nLoaded image: busybox:latest\n');
  assert.equal((await ok(root2, ['inspect', '--format', '{{.Id}}', 'arch/app:v1'])).trim(), imageId);
  assert.equal(await ok(root2, ['run', '--rm', 'arch/app:v1']), 'saved and loaded\n');
});

test('an OCI layout made by skopeo loads (from stdin too) and runs; a docker archive made by skopeo loads', async () => {
  const file = path.join(base, 'for-skopeo.tar');
  await ok(root, ['save', '-o', file, 'arch/app:v1']);
  const layout = path.join(base, 'layout');
  skopeo('copy', `docker-archive:${file}:arch/app:v1`, `oci:${layout}:arch/oci:v2`);
  const layoutTar = path.join(base, 'layout.tar');
  spawnSync('tar', ['-cf', layoutTar, '-C', layout, '.']);
  const root3 = path.join(base, 'root3');
  assert.equal(await ok(root3, ['load'], { input: fs.readFileSync(layoutTar) }), 'Loaded image: arch/oci:v2\n');
  assert.equal(await ok(root3, ['run', '--rm', 'arch/oci:v2']), 'saved and loaded\n');

  const legacy = path.join(base, 'legacy.tar');
  skopeo('copy', `oci:${layout}:arch/oci:v2`, `docker-archive:${legacy}:arch/legacy:v3`);
  const root4 = path.join(base, 'root4');
  assert.equal(await ok(root4, ['load', '-i', legacy]), 'Loaded image: arch/legacy:v3\n');
  assert.equal(await ok(root4, ['run', '--rm', 'arch/legacy:v3']), 'saved and loaded\n');
});

test('an OCI layout made with umoci (static busybox added by repack) loads untagged and runs by ID', async () => {
  const layout = path.join(base, 'umoci');
  const bundle = path.join(base, 'umoci-bundle');
  const umoci = (...args: string[]) => {
    const r = spawnSync('umoci', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `umoci ${args.join(' ')}: ${r.stderr}`);
  };
  umoci('init', '--layout', layout);
  umoci('new', '--image', `${layout}:v1`);
  umoci('unpack', '--rootless', '--image', `${layout}:v1`, bundle);
  fs.mkdirSync(path.join(bundle, 'rootfs', 'bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(bundle, 'rootfs', 'bin', 'busybox'));
  umoci('repack', '--image', `${layout}:v1`, bundle);
  umoci('config', '--image', `${layout}:v1`, '--config.cmd', '/bin/busybox', '--config.cmd', 'echo', '--config.cmd', 'made by umoci');
  const tarFile = path.join(base, 'umoci.tar');
  spawnSync('tar', ['-cf', tarFile, '-C', layout, '.']);
  const root6 = path.join(base, 'root6');
  const loaded = await ok(root6, ['load', '-i', tarFile]);
  const id = /^Loaded image ID: (sha256:[0-9a-f]{64})\n$/.exec(loaded)?.[1];
  assert.ok(id, loaded);
  assert.equal(await ok(root6, ['run', '--rm', id.slice(7, 19)]), 'made by umoci\n');
});

test('save to stdout and load from stdin stream the archive', async () => {
  const saved = spawnSync(SKIFF, ['--root', root, 'save', 'arch/app:v1'], { env: { ...process.env, SKIFF_DEV: '1' }, maxBuffer: 64 << 20 });
  assert.equal(saved.status, 0, saved.stderr?.toString());
  assert.equal(saved.stdout.subarray(257, 262).toString(), 'ustar');
  const root5 = path.join(base, 'root5');
  assert.equal(await ok(root5, ['load'], { input: saved.stdout }), 'Loaded image: arch/app:v1\n');
  await cleanupRoot(root5);
});

test('load and save errors', async () => {
  const junk = path.join(base, 'junk.tar');
  fs.writeFileSync(junk, 'not a tar at all');
  const r = await skiff(root, ['load', '-i', junk]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error response from daemon: unrecognized image archive/);
  const missing = await skiff(root, ['save', '-o', path.join(base, 'x.tar'), 'no/such:image']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error response from daemon: reference does not exist: no/such:image\n');
});
