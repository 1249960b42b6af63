// Seed 002's manifests (test/fixtures/seeds) through the real kubectl 1.27 and 1.33: create -f,
// get (columns, -o wide|yaml|json|name|jsonpath), describe, delete, apply twice (created, unchanged).
// Each kubectl version works in its own namespace, and cluster-scoped objects get a per-version name,
// so both versions run at once against one server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { kubectl, kubectlOk, KUBECTL_VERSIONS, REPO_ROOT, startTestServer, type KubectlVersion, type TestServer } from '../lib/index.js';

const SEEDS = path.join(REPO_ROOT, 'test/fixtures/seeds');

interface Seed {
  file: string;
  /** kubectl's name for the type in `created` lines: `replicaset.apps`. */
  type: string;
  /** The header kubectl prints for `get` (server-side columns). */
  header: RegExp;
  clusterScoped?: boolean;
}

const SEED_LIST: Seed[] = [
  { file: 'kube-manual.yaml', type: 'pod', header: /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/ },
  { file: 'kubia-rc.yaml', type: 'replicationcontroller', header: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/ },
  { file: 'kubia-rs.yaml', type: 'replicaset.apps', header: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/ },
  { file: 'kubia-rs-matchexpr.yaml', type: 'replicaset.apps', header: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/ },
  { file: 'kube-ds.yaml', type: 'daemonset.apps', header: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/ },
  { file: 'kube-job.yaml', type: 'job.batch', header: /^NAME\s+(STATUS\s+)?COMPLETIONS\s+DURATION\s+AGE$/ },
  { file: 'kube-cronjob.yaml', type: 'cronjob.batch', header: /^NAME\s+SCHEDULE\s+(TIMEZONE\s+)?SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/ },
  { file: 'kube-deployment.yaml', type: 'deployment.apps', header: /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/ },
  { file: 'kube-svc.yaml', type: 'service', header: /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/ },
  { file: 'kube-svc-nodeport.yaml', type: 'service', header: /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/ },
  { file: 'kube-ingress.yaml', type: 'ingress.networking.k8s.io', header: /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/ },
  { file: 'kube-configmap.yaml', type: 'configmap', header: /^NAME\s+DATA\s+AGE$/ },
  { file: 'pv0003.yaml', type: 'persistentvolume', header: /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+/, clusterScoped: true },
  { file: 'myclaim.yaml', type: 'persistentvolumeclaim', header: /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+/ },
  { file: 'kube-ns.yaml', type: 'namespace', header: /^NAME\s+STATUS\s+AGE$/, clusterScoped: true },
];

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.stop();
});

/**
 * The seed as this version's copy: cluster-scoped names get a suffix, and so that both versions can
 * hold the NodePort Service at once, 1.33's uses the next port. Returns the file and name.
 */
function prepare(seed: Seed, v: KubectlVersion, dir: string): { file: string; name: string } {
  const doc = YAML.parse(fs.readFileSync(path.join(SEEDS, seed.file), 'utf8')) as { metadata: { name: string }; spec?: { ports?: Array<{ nodePort?: number }> } };
  if (seed.clusterScoped) doc.metadata.name = `${doc.metadata.name}-${v.replace('.', '')}`;
  for (const port of doc.spec?.ports ?? []) if (port.nodePort && v !== '1.27') port.nodePort += 1;
  const file = path.join(dir, seed.file);
  fs.writeFileSync(file, YAML.stringify(doc));
  return { file, name: doc.metadata.name };
}

describe('seed 002 manifests', { concurrency: true }, () => {
  for (const v of KUBECTL_VERSIONS) {
    it(`kubectl ${v}: every seed manifest`, async () => {
      const ns = `seeds-${v.replace('.', '')}`;
      const dir = path.join(server.dataDir, ns);
      fs.mkdirSync(dir, { recursive: true });
      await kubectlOk(v, server.kubeconfig, ['create', 'namespace', ns]);
      const k = (args: string[]) => kubectlOk(v, server.kubeconfig, [...args, '-n', ns]);
      for (const seed of SEED_LIST) {
        const { file, name } = prepare(seed, v, dir);
        const ref = `${seed.type}/${name}`;
        assert.equal(await k(['create', '-f', file]), `${ref} created\n`, seed.file);
        const table = (await k(['get', '-f', file])).split('\n');
        assert.match(table[0], seed.header, `${seed.file} columns: ${table[0]}`);
        assert.match(table[1], new RegExp(`^${name}\\s`), seed.file);
        const wide = await k(['get', '-f', file, '-o', 'wide']);
        assert.match(wide.split('\n')[1], new RegExp(`^${name}\\s`), seed.file);
        const asJson = JSON.parse(await k(['get', '-f', file, '-o', 'json'])) as { metadata: { name: string; uid: string } };
        assert.equal(asJson.metadata.name, name);
        const asYaml = YAML.parse(await k(['get', '-f', file, '-o', 'yaml'])) as { metadata: { uid: string } };
        assert.equal(asYaml.metadata.uid, asJson.metadata.uid);
        assert.equal(await k(['get', '-f', file, '-o', 'name']), `${ref}\n`);
        assert.equal(await k(['get', '-f', file, '-o', 'jsonpath={.metadata.uid}']), asJson.metadata.uid);
        const described = await k(['describe', '-f', file]);
        assert.match(described, new RegExp(`^Name:\\s+${name}$`, 'm'), `${seed.file} describe:\n${described}`);
        assert.match(await k(['delete', '-f', file, '--wait=false']), new RegExp(`^${seed.type}\\s*"${name}" deleted\\n$`));
        if (seed.type === 'namespace') continue;
        assert.equal(await k(['apply', '-f', file]), `${ref} created\n`, seed.file);
        assert.equal(await k(['apply', '-f', file]), `${ref} unchanged\n`, seed.file);
        await k(['delete', '-f', file, '--wait=false']);
      }
    });
  }
});

describe('immutable selectors', () => {
  it('kubectl 1.33: applying the matchExpressions ReplicaSet over the matchLabels one is refused', async () => {
    const ns = 'immutable';
    await kubectlOk('1.33', server.kubeconfig, ['create', 'namespace', ns]);
    await kubectlOk('1.33', server.kubeconfig, ['apply', '-n', ns, '-f', path.join(SEEDS, 'kubia-rs.yaml')]);
    const r = await kubectl('1.33', server.kubeconfig, ['apply', '-n', ns, '-f', path.join(SEEDS, 'kubia-rs-matchexpr.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The ReplicaSet "kubia" is invalid: spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\(nil\), MatchExpressions:\[\]v1\.LabelSelectorRequirement\{v1\.LabelSelectorRequirement\{Key:"app", Operator:"In", Values:\[\]string\{"kubia"\}\}\}\}: field is immutable/);
  });
});
