// kubectl verbs beyond create/get/delete, with the real kubectl 1.27 and 1.33: label (and
// --overwrite), --show-labels, -L, -l in every selector form, annotate, patch of all three types,
// scale, edit (EDITOR as a script), run --restart=Never, get -w seeing another client's change,
// unknown fields refused, and a stale replace answered 409.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kubectl, kubectlOk, kubectlPath, KUBECTL_VERSIONS, startTestServer, type KubectlVersion, type TestServer } from '../lib/index.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.stop();
});

function podYaml(name: string, labels: Record<string, string>, extra = ''): string {
  const l = Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${l ? `  labels:\n${l}\n` : ''}spec:\n  containers:\n  - name: main\n    image: busybox${extra}\n`;
}

describe('kubectl verbs', { concurrency: true }, () => {
  for (const v of KUBECTL_VERSIONS) {
    const ns = `verbs-${v.replace('.', '')}`;
    const k = (args: string[], input?: string) => kubectlOk(v, server.kubeconfig, [...args, '-n', ns], { input });
    const kr = (args: string[], input?: string) => kubectl(v, server.kubeconfig, [...args, '-n', ns], { input });

    it(`kubectl ${v}: labels, selectors, annotate, patch, scale, edit, run, replace`, async () => {
      await kubectlOk(v, server.kubeconfig, ['create', 'namespace', ns]);
      await k(['create', '-f', '-'], podYaml('a', { app: 'kubia', env: 'debug', creation_method: 'manual' }));
      await k(['create', '-f', '-'], podYaml('b', { app: 'kubia', env: 'prod' }));
      await k(['create', '-f', '-'], podYaml('c', { app: 'other' }));

      assert.equal(await k(['label', 'pod', 'c', 'tier=web']), 'pod/c labeled\n');
      const clash = await kr(['label', 'pod', 'c', 'tier=db']);
      assert.equal(clash.code, 1);
      assert.match(clash.stderr, /'tier' already has a value \(web\), and --overwrite is false/);
      assert.equal(await k(['label', 'pod', 'c', 'tier=db', '--overwrite']), 'pod/c labeled\n');
      assert.equal(await k(['label', 'pod', 'c', 'tier-']), 'pod/c unlabeled\n');

      const shown = await k(['get', 'pods', '--show-labels']);
      assert.match(shown.split('\n')[0], /\sLABELS$/);
      assert.match(shown, /^a\s.*\sapp=kubia,creation_method=manual,env=debug$/m);
      const cols = await k(['get', 'pods', '-L', 'creation_method,env']);
      assert.match(cols.split('\n')[0], /\sCREATION_METHOD\s+ENV$/);
      assert.match(cols, /^b\s.*\s+prod$/m);

      const names = async (selector: string): Promise<string> => (await k(['get', 'pods', '-l', selector, '-o', 'name'])).trim().split('\n').filter(Boolean).map((n) => n.replace('pod/', '')).sort().join(',');
      assert.equal(await names('app=kubia'), 'a,b');
      assert.equal(await names('app==kubia'), 'a,b');
      assert.equal(await names('app!=kubia'), 'c');
      assert.equal(await names('env'), 'a,b');
      assert.equal(await names('!env'), 'c');
      assert.equal(await names('env in (prod,staging)'), 'b');
      assert.equal(await names('env notin (prod)'), 'a,c');
      assert.equal(await names('app=kubia,env!=debug'), 'b');
      const none = await kr(['get', 'pods', '-l', 'app=none']);
      assert.equal(none.stdout, '');
      assert.match(none.stderr, new RegExp(`No resources found in ${ns} namespace`));
      const bad = await kr(['get', 'pods', '-l', 'app in (']);
      assert.equal(bad.code, 1);

      // kubectl 1.27 prints "annotate" (fixed later), 1.33 "annotated".
      assert.match(await k(['annotate', 'pod', 'a', 'note=hello']), /^pod\/a annotated?\n$/);
      assert.equal(await k(['get', 'pod', 'a', '-o', 'jsonpath={.metadata.annotations.note}']), 'hello');

      await k(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=1']);
      assert.equal(await k(['patch', 'deployment', 'web', '-p', '{"spec":{"replicas":2}}']), 'deployment.apps/web patched\n');
      assert.equal(await k(['patch', 'deployment', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']), 'deployment.apps/web patched\n');
      assert.equal(await k(['patch', 'deployment', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']), 'deployment.apps/web patched\n');
      assert.equal(await k(['patch', 'deployment', 'web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']), 'deployment.apps/web patched\n');
      const dep = JSON.parse(await k(['get', 'deployment', 'web', '-o', 'json'])) as { spec: { replicas: number; template: { spec: { containers: Array<{ name: string; image: string }> } } }; metadata: { labels: Record<string, string>; generation: number } };
      assert.equal(dep.spec.replicas, 3);
      assert.equal(dep.metadata.labels.m, '1');
      assert.deepEqual(dep.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['nginx=nginx:1.26']);
      assert.equal(dep.metadata.generation, 4);

      assert.equal(await k(['scale', 'deployment', 'web', '--replicas=5']), 'deployment.apps/web scaled\n');
      assert.equal(await k(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
      const rv = await k(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.resourceVersion}']);
      assert.equal(await k(['scale', 'deployment', 'web', '--replicas=6', `--resource-version=${rv}`]), 'deployment.apps/web scaled\n');
      const stale = await kr(['scale', 'deployment', 'web', '--replicas=7', `--resource-version=${rv}`]);
      assert.equal(stale.code, 1);

      const editor = path.join(server.dataDir, `editor-${v}.sh`);
      fs.writeFileSync(editor, '#!/bin/sh\nsed -i "s/replicas: 6/replicas: 8/" "$1"\n', { mode: 0o755 });
      const edited = await kubectl(v, server.kubeconfig, ['edit', 'deployment', 'web', '-n', ns], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
      assert.equal(edited.stdout, 'deployment.apps/web edited\n', edited.stderr);
      assert.equal(await k(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']), '8');

      assert.equal(await k(['run', 'once', '--image=busybox', '--restart=Never']), 'pod/once created\n');
      assert.equal(await k(['get', 'pod', 'once', '-o', 'jsonpath={.spec.restartPolicy} {.metadata.labels.run}']), 'Never once');

      // A replace carrying an old resourceVersion loses to the write in between.
      const old = await k(['get', 'pod', 'b', '-o', 'yaml']);
      await k(['label', 'pod', 'b', 'x=y']);
      const conflict = await kr(['replace', '-f', '-'], old);
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on pods "b": the object has been modified; please apply your changes to the latest version and try again/);
    });

    it(`kubectl ${v}: unknown fields are refused, or warned about with --validate=warn`, async () => {
      const r = await kubectl(v, server.kubeconfig, ['create', '-n', 'default', '-f', '-'], { input: podYaml(`typo-${v.replace('.', '')}`, {}, '\n    imagePullPolicyy: Always') });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /unknown field "spec\.containers\[0\]\.imagePullPolicyy"/);
      const w = await kubectl(v, server.kubeconfig, ['create', '-n', 'default', '--validate=warn', '-f', '-'], { input: podYaml(`typo-${v.replace('.', '')}`, {}, '\n    imagePullPolicyy: Always') });
      assert.equal(w.code, 0, w.stderr);
      assert.match(w.stderr, /Warning: unknown field "spec\.containers\[0\]\.imagePullPolicyy"/);
    });

    it(`kubectl ${v}: invalid names are refused with kube-apiserver's message`, async () => {
      const r = await kubectl(v, server.kubeconfig, ['create', '-n', 'default', '-f', '-'], { input: podYaml('Bad_Name', {}) });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      );
    });

    it(`kubectl ${v}: get -w prints another client's changes`, async () => {
      const wns = `watch-${v.replace('.', '')}`;
      await kubectlOk(v, server.kubeconfig, ['create', 'namespace', wns]);
      await kubectlOk(v, server.kubeconfig, ['create', 'configmap', 'w0', '-n', wns, '--from-literal=a=b']);
      const lines = await watchOutput(v, ['get', 'configmaps', '-w', '-n', wns, '--output-watch-events'], async () => {
        await kubectlOk('1.33', server.kubeconfig, ['create', 'configmap', 'w1', '-n', wns, '--from-literal=a=b']);
        await kubectlOk('1.33', server.kubeconfig, ['label', 'configmap', 'w1', '-n', wns, 'x=y']);
        await kubectlOk('1.33', server.kubeconfig, ['delete', 'configmap', 'w1', '-n', wns]);
      }, (out) => /DELETED\s+w1/.test(out));
      assert.match(lines, /ADDED\s+w0/);
      assert.match(lines, /ADDED\s+w1/);
      assert.match(lines, /MODIFIED\s+w1/);
      assert.match(lines, /DELETED\s+w1/);
    });
  }
});

/** Runs a long-lived kubectl, performs `act` once it is watching, and returns its output once `done`. */
function watchOutput(v: KubectlVersion, args: string[], act: () => Promise<void>, done: (out: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(v), [`--kubeconfig=${server.kubeconfig}`, `--cache-dir=${path.join(server.dataDir, `kubectl-cache-${v}`)}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let acted = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watch did not see the changes:\n${out}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!acted && out.includes('\n')) {
        acted = true;
        act().catch(reject);
      }
      if (done(out)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(out);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  });
}
