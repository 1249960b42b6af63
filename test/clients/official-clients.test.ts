// The official client libraries driving a real busybox pod on a one-node skiff cluster: the JavaScript
// client (@kubernetes/client-node: Watch, Log, Exec, PortForward) and the Python client (Debian's
// python3-kubernetes: CRUD, patch, scale, watch, errors, logs, exec, port-forward) — the paths a program
// uses where a person would use kubectl. Both speak the channel WebSocket protocols, not SPDY.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, startNodeCluster, type NodeCluster } from '../e2e/seeds/node.js';

let cluster: NodeCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  cluster = await startNodeCluster('client-node');
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.server.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name: 'stream' },
      spec: {
        containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'echo started; mkdir -p /www; echo hello-pf > /www/index.html; exec httpd -f -p 8080 -h /www'] }],
      },
    },
  });
  let status: k8s.V1PodStatus | undefined;
  await eventually('pod stream Running', async () => (status = (await core.readNamespacedPod({ namespace: 'default', name: 'stream' })).status)?.phase === 'Running', 150_000).catch((err: Error) => {
    throw new Error(`${err.message}\npod status: ${JSON.stringify(status)}`);
  });
});

after(async () => {
  await cluster?.stop();
});

describe('@kubernetes/client-node streaming against a real pod', () => {
  it('Watch reports the pod', async () => {
    const watch = new k8s.Watch(kc);
    const seen = await new Promise<string>((resolve, reject) => {
      let req: AbortController | undefined;
      watch
        .watch('/api/v1/namespaces/default/pods', { fieldSelector: 'metadata.name=stream' }, (type, obj: k8s.V1Pod) => {
          req?.abort();
          resolve(`${type} ${obj.metadata?.name} ${obj.status?.phase}`);
        }, (err) => err && err.name !== 'AbortError' && reject(err))
        .then((r) => (req = r), reject);
    });
    assert.equal(seen, 'ADDED stream Running');
  });

  it('Log returns what the container printed', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    await new k8s.Log(kc).log('default', 'stream', 'web', out, { follow: false });
    await eventually('the log line', async () => text.includes('started'), 10_000);
  });

  it('Exec runs a command and reports its status', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('default', 'stream', 'web', ['sh', '-c', 'echo out-$((6*7)); cat /etc/hostname'], stdout, stderr, null, false, (s) => resolve(s)).catch(reject);
    });
    assert.equal(status.status, 'Success');
    assert.equal(text, 'out-42\nstream\n');
    const failed = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('default', 'stream', 'web', ['sh', '-c', 'exit 3'], stdout, stderr, null, false, (s) => resolve(s)).catch(reject);
    });
    assert.equal(failed.status, 'Failure');
    assert.equal(failed.reason, 'NonZeroExitCode');
    assert.equal(failed.details?.causes?.find((c) => c.reason === 'ExitCode')?.message, '3');
  });

  it('PortForward reaches the pod port', async () => {
    const pf = new k8s.PortForward(kc);
    const server = net.createServer((socket) => {
      // The client leaves ending the local socket to its caller: the pod side is done when the WebSocket closes.
      pf.portForward('default', 'stream', [8080], socket, null, socket).then(
        (ws) => typeof ws !== 'function' && ws.on('close', () => socket.end()),
        () => socket.destroy(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        const c = net.connect(port, '127.0.0.1', () => c.write('GET /index.html HTTP/1.0\r\n\r\n'));
        let data = '';
        c.on('data', (d) => (data += d.toString()));
        c.on('end', () => resolve(data));
        c.on('error', reject);
        c.setTimeout(15_000, () => reject(new Error(`port-forward timed out after: ${JSON.stringify(data)}`)));
      });
      assert.match(body, /^HTTP\/1\.[01] 200/);
      assert.match(body, /hello-pf/);
    } finally {
      server.close();
    }
  });
});

describe('the Python client (python3-kubernetes)', () => {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python-client.py');
  const python = (mode: string): string[] => {
    const r = spawnSync('/usr/bin/python3', [script, cluster.server.kubeconfig, mode], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    return r.stdout.trim().split('\n');
  };

  it('creates, patches, scales, watches and gets Kubernetes errors', () => {
    assert.deepEqual(python('api'), ['patched 2', 'scale 3', 'watched py', 'error 404 Not Found', 'error 409 Conflict']);
  });

  it('reads logs, port-forwards and execs with exit codes', () => {
    assert.deepEqual(python('pod'), ['logs started', 'portforward HTTP/1.1 200 OK hello-pf', 'exec out-42', 'exitcode 3']);
  });
});
