// dockerode (the Node SDK) against `skiff system service`: ping/version, create + attach (with and
// without the upgrade handshake) + start + wait, logs, exec with its exit code, and listings.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import Docker from 'dockerode';
import { startService, type Service } from './helpers.js';

let svc: Service;
let docker: Docker;

before(async () => {
  svc = await startService('dapi-ode');
  docker = new Docker({ socketPath: svc.socket });
});

after(async () => {
  await svc?.stop();
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

test('ping and version', async () => {
  assert.equal(String(await docker.ping()), 'OK');
  const v = await docker.version();
  assert.equal(v.ApiVersion, '1.43');
  assert.equal(v.Os, 'linux');
});

for (const hijack of [true, false]) {
  test(`create, attach (${hijack ? 'upgraded' : 'plain response'}), start and wait: output demultiplexed, exit code`, async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 2'] });
    const stream = await c.attach({ stream: true, stdout: true, stderr: true, hijack });
    const out = collect();
    const err = collect();
    docker.modem.demuxStream(stream, out.stream, err.stream);
    const ended = new Promise((r) => stream.on('end', r));
    await c.start();
    const result = (await c.wait()) as { StatusCode: number };
    await ended;
    assert.equal(result.StatusCode, 2);
    assert.equal(out.text(), 'out\n');
    assert.equal(err.text(), 'err\n');
    const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    const frames = collect();
    const errFrames = collect();
    const source = new PassThrough();
    docker.modem.demuxStream(source, frames.stream, errFrames.stream);
    source.end(logs);
    await new Promise((r) => source.on('end', r));
    assert.equal(frames.text(), 'out\n');
    assert.equal(errFrames.text(), 'err\n');
    await c.remove();
  });
}

test('exec streams output and reports its exit code; listings see the container and busybox', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '60'], name: 'odebox', Labels: { sdk: 'dockerode' } });
  await c.start();
  const exec = await c.exec({ Cmd: ['sh', '-c', 'echo from-exec; exit 6'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = collect();
  docker.modem.demuxStream(stream, out.stream, new PassThrough());
  await new Promise((r) => stream.on('end', r));
  assert.equal(out.text(), 'from-exec\n');
  const info = await exec.inspect();
  assert.equal(info.ExitCode, 6);
  assert.equal(info.Running, false);
  const listed = await docker.listContainers({ filters: { label: ['sdk=dockerode'] } });
  assert.deepEqual(listed.map((x) => x.Names), [['/odebox']]);
  const images = await docker.listImages();
  assert.ok(images.some((i) => (i.RepoTags ?? []).includes('busybox:latest')));
  const inspected = await docker.getImage('busybox').inspect();
  assert.match(inspected.Id, /^sha256:[0-9a-f]{64}$/);
  await c.remove({ force: true });
  await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
});
