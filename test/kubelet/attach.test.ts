// kubectl attach -i to a container started with stdin: input reaches the container's own process and
// its output comes back, over SPDY (kubectl 1.27) and WebSocket v5 (kubectl 1.33). Exec over the older
// WebSocket protocols other clients ask for: v4.channel.k8s.io (binary) and v4.base64.channel.k8s.io.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { credentialsFrom } from '../lib/index.js';
import { podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('attach');
});
after(async () => {
  await c?.stop();
});

for (const v of ['1.27', '1.33'] as const) {
  test(`kubectl ${v} attach -i feeds the container's stdin and shows its output`, async () => {
    const name = `reader-${v.replace('.', '')}`;
    await c.k('1.33', ['apply', '-f', '-'], podManifest(name, c.node, {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'] }],
    }));
    await waitFor(`${name} Running`, async () => (await c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Running');
    const out = await c.k(v, ['attach', '-i', name], 'hello\nworld\n');
    assert.equal(out, 'got hello\ngot world\nbye\n');
    await waitFor(`${name} Succeeded`, async () => (await c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Succeeded');
    assert.equal(await c.k('1.33', ['logs', name]), 'got hello\ngot world\nbye\n');
  });
}

/** One exec over a channel WebSocket protocol through the API server: what came on each channel. */
function wsExec(pod: string, command: string[], protocol: string, input?: string): Promise<{ protocol: string; channels: Map<number, string> }> {
  const creds = credentialsFrom(c.server.kubeconfig);
  const pairs: Array<[string, string]> = [...command.map((a): [string, string] => ['command', a]), ['stdout', 'true'], ['stderr', 'true'], ...(input ? [['stdin', 'true'] as [string, string]] : [])];
  const q = new URLSearchParams(pairs);
  const url = `${creds.server.replace(/^https/, 'wss')}/api/v1/namespaces/default/pods/${pod}/exec?${q}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [protocol], { ca: creds.ca, cert: creds.cert, key: creds.key });
    const channels = new Map<number, string>();
    const base64 = protocol.includes('base64');
    ws.on('open', () => {
      if (!input) return;
      if (base64) ws.send(`0${Buffer.from(input).toString('base64')}`);
      else ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(input)]));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, !base64, 'frames in the protocol\'s own type');
      const ch = isBinary ? data[0]! : data.toString().charCodeAt(0) - 48;
      const payload = isBinary ? data.subarray(1) : Buffer.from(data.toString().slice(1), 'base64');
      channels.set(ch, (channels.get(ch) ?? '') + payload.toString());
    });
    ws.on('close', () => resolve({ protocol: ws.protocol, channels }));
    ws.on('error', reject);
  });
}

test('exec over v4.channel.k8s.io and v4.base64.channel.k8s.io: output channels, stdin, Status on channel 3', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('v4', c.node, { containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] }));
  await waitFor('v4 Running', async () => (await c.k('1.33', ['get', 'pod', 'v4', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  for (const protocol of ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io']) {
    const failed = await wsExec('v4', ['sh', '-c', 'echo out; echo err >&2; exit 3'], protocol);
    assert.equal(failed.protocol, protocol);
    assert.equal(failed.channels.get(1), 'out\n');
    assert.equal(failed.channels.get(2), 'err\n');
    const status = JSON.parse(failed.channels.get(3) ?? '{}') as { status: string; reason: string; details: { causes: Array<{ reason: string; message: string }> } };
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
    const echoed = await wsExec('v4', ['head', '-n', '1'], protocol, 'hello\n');
    assert.equal(echoed.channels.get(1), 'hello\n');
    assert.equal(JSON.parse(echoed.channels.get(3) ?? '{}').status, 'Success');
  }
  await c.k('1.33', ['delete', 'pod', 'v4', '--wait=false']);
});
