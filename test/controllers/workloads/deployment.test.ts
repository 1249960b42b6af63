// Deployments on hollow nodes with the real kubectl 1.33, following the seed's rollout transcript:
// create --record, set image, rollout status/history/undo (--to-revision), get rs showing the old
// ReplicaSet at 0, pause/resume, Recreate, and the progress deadline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

const SEED = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/seeds/kube-deployment.yaml'), 'utf8');
let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 3 });
});
after(async () => {
  await c?.stop();
});

interface RS {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
  status: { replicas?: number };
}

async function replicaSets(app: string): Promise<RS[]> {
  return (JSON.parse(await c.k('get', 'rs', '-l', `app=${app}`, '-o', 'json')) as { items: RS[] }).items;
}

const imageOf = (rs: RS): string => rs.spec.template.spec.containers[0].image;

async function rolledOut(name: string): Promise<void> {
  const out = await c.k('rollout', 'status', `deployment/${name}`, '--timeout=60s');
  assert.match(out, new RegExp(`deployment "${name}" successfully rolled out`));
}

test('the seed rollout: create --record, set image, history with CHANGE-CAUSE, undo and --to-revision', async () => {
  assert.match(await c.kIn(SEED, 'create', '-f', '-', '--record'), /deployment.apps\/kubia created/);
  await rolledOut('kubia');
  const [first] = await replicaSets('kubia');
  const hash = first.metadata.labels?.['pod-template-hash'];
  assert.ok(hash && first.metadata.name === `kubia-${hash}`, first.metadata.name);
  assert.match(await c.k('get', 'rs'), new RegExp(`kubia-${hash}\\s+3\\s+3\\s+3\\s`));
  const pods = await c.k('get', 'pods', '-l', 'app=kubia', '--no-headers');
  assert.equal(pods.trim().split('\n').filter((l) => new RegExp(`^kubia-${hash}-[a-z0-9]{5}\\s+1/1\\s+Running`).test(l)).length, 3, pods);

  assert.match(await c.k('set', 'image', 'deployment', 'kubia', 'nodejs=luksa/kubia:v2', '--record'), /deployment.apps\/kubia image updated/);
  await rolledOut('kubia');
  const afterUpdate = await replicaSets('kubia');
  const v2 = afterUpdate.find((rs) => imageOf(rs) === 'luksa/kubia:v2')!;
  assert.equal(v2.spec.replicas, 3);
  assert.equal(afterUpdate.find((rs) => rs.metadata.name === first.metadata.name)?.spec.replicas, 0);
  // `get rs` shows the old ReplicaSet scaled to 0, as in the seed.
  await eventually('old RS at 0 0 0', async () => new RegExp(`${first.metadata.name}\\s+0\\s+0\\s+0\\s`).test(await c.k('get', 'rs')));

  const history = await c.k('rollout', 'history', 'deployment', 'kubia');
  // kubectl records its own command line (here with the test's --kubeconfig and --cache-dir flags).
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+kubectl\S* create .*--filename=- --record=true\n2\s+kubectl\S* set image deployment kubia nodejs=luksa\/kubia:v2 .*--record=true\n/);

  assert.match(await c.k('rollout', 'undo', 'deployment', 'kubia'), /deployment.apps\/kubia rolled back/);
  await rolledOut('kubia');
  const undone = await replicaSets('kubia');
  const back = undone.find((rs) => rs.metadata.name === first.metadata.name)!;
  assert.equal(back.spec.replicas, 3);
  assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3', 'the rolled-back RS gets a new top revision');
  assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(undone.find((rs) => rs.metadata.name === v2.metadata.name)?.spec.replicas, 0);
  assert.match(await c.k('rollout', 'history', 'deployment', 'kubia'), /REVISION\s+CHANGE-CAUSE\n2\s+kubectl\S* set image.*\n3\s+kubectl\S* create .*--record=true\n/);

  assert.match(await c.k('rollout', 'undo', 'deployment', 'kubia', '--to-revision=2'), /deployment.apps\/kubia rolled back/);
  await rolledOut('kubia');
  const again = await replicaSets('kubia');
  assert.equal(again.find((rs) => rs.metadata.name === v2.metadata.name)?.spec.replicas, 3);
  const missing = await c.kTry('rollout', 'undo', 'deployment', 'kubia', '--to-revision=9');
  assert.match(missing.stderr, /unable to find specified revision 9 in history/);

  const describe = await c.k('describe', 'deployment', 'kubia');
  assert.match(describe, /Available\s+True\s+MinimumReplicasAvailable/);
  assert.match(describe, /Progressing\s+True\s+NewReplicaSetAvailable/);
  assert.match(describe, new RegExp(`NewReplicaSet:\\s+${v2.metadata.name} \\(3/3 replicas created\\)`));
  assert.match(describe, new RegExp(`ScalingReplicaSet\\s+.*deployment-controller\\s+Scaled up replica set ${v2.metadata.name} from 0 to 1`));
  const deployment = JSON.parse(await c.k('get', 'deployment', 'kubia', '-o', 'json')) as { metadata: { annotations: Record<string, string> } };
  assert.equal(deployment.metadata.annotations['deployment.kubernetes.io/revision'], '4');
});

test('a paused deployment does not roll out until resumed, but still scales', async () => {
  await c.k('create', 'deployment', 'paused', '--image=nginx:1.25', '--replicas=2');
  await rolledOut('paused');
  assert.match(await c.k('rollout', 'pause', 'deployment/paused'), /deployment.apps\/paused paused/);
  await c.k('set', 'image', 'deployment/paused', 'nginx=nginx:1.26');
  await c.k('scale', 'deployment/paused', '--replicas=4');
  await eventually('scaled while paused', async () => {
    const rss = await replicaSets('paused');
    return rss.length === 1 && rss[0].spec.replicas === 4 && imageOf(rss[0]) === 'nginx:1.25';
  });
  const d = JSON.parse(await c.k('get', 'deployment', 'paused', '-o', 'json')) as { status: { conditions: Array<{ type: string; reason: string; status: string }> } };
  assert.deepEqual(
    d.status.conditions.filter((x) => x.type === 'Progressing').map((x) => [x.status, x.reason]),
    [['Unknown', 'DeploymentPaused']],
  );
  assert.match(await c.k('rollout', 'resume', 'deployment/paused'), /deployment.apps\/paused resumed/);
  await rolledOut('paused');
  const rss = await replicaSets('paused');
  assert.deepEqual(rss.map((rs) => [imageOf(rs), rs.spec.replicas]).sort(), [['nginx:1.25', 0], ['nginx:1.26', 4]]);
});

test('Recreate scales the old ReplicaSet to 0 before the new one comes up', async () => {
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: recreate}
spec:
  replicas: 3
  strategy: {type: Recreate}
  selector: {matchLabels: {app: recreate}}
  template:
    metadata: {labels: {app: recreate}}
    spec:
      containers: [{name: app, image: "app:v1"}]
`;
  await c.kIn(manifest, 'apply', '-f', '-');
  await rolledOut('recreate');
  await c.k('set', 'image', 'deployment/recreate', 'app=app:v2');
  await rolledOut('recreate');
  const events = JSON.parse(await c.k('get', 'events', '--field-selector', 'involvedObject.name=recreate,reason=ScalingReplicaSet', '-o', 'json')) as {
    items: Array<{ message: string; metadata: { resourceVersion: string } }>;
  };
  const messages = events.items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((e) => e.message);
  const rss = await replicaSets('recreate');
  const v1 = rss.find((rs) => imageOf(rs) === 'app:v1')!.metadata.name;
  const v2 = rss.find((rs) => imageOf(rs) === 'app:v2')!.metadata.name;
  assert.deepEqual(messages, [`Scaled up replica set ${v1} from 0 to 3`, `Scaled down replica set ${v1} from 3 to 0`, `Scaled up replica set ${v2} from 0 to 3`]);
});

test('a rollout that cannot progress fails with ProgressDeadlineExceeded', async () => {
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      nodeSelector: {nowhere: "true"}
      containers: [{name: app, image: app}]
`;
  await c.kIn(manifest, 'apply', '-f', '-');
  const r = await c.kTry('rollout', 'status', 'deployment/stuck', '--timeout=60s');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /deployment "stuck" exceeded its progress deadline/);
  const d = JSON.parse(await c.k('get', 'deployment', 'stuck', '-o', 'json')) as { status: { conditions: Array<{ type: string; reason: string; status: string; message: string }> } };
  const p = d.status.conditions.find((x) => x.type === 'Progressing')!;
  assert.equal(p.status, 'False');
  assert.match(p.message, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
});

test('scaling a Deployment mid-rollout shares the new replicas proportionally between its ReplicaSets', async () => {
  await c.k('create', 'deployment', 'prop', '--image=app:v1', '--replicas=10');
  await rolledOut('prop');
  // The new template cannot be scheduled, so the rollout stops at old 8 / new 5 (25% surge and unavailability).
  await c.k('patch', 'deployment', 'prop', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"nowhere":"true"}}}}}');
  const sizes = async (): Promise<string> => {
    const rss = await replicaSets('prop');
    const old = rss.find((rs) => !('nodeSelector' in (rs.spec.template.spec as object)));
    const fresh = rss.find((rs) => 'nodeSelector' in (rs.spec.template.spec as object));
    return `${old?.spec.replicas}/${fresh?.spec.replicas}`;
  };
  await eventually('old 8 / new 5', async () => (await sizes()) === '8/5');
  await c.k('scale', 'deployment', 'prop', '--replicas=20');
  // 12 more replicas allowed (20 + 5 surge - 13), split by each ReplicaSet's share of 13: 8→15, 5→10.
  await eventually('old 15 / new 10', async () => (await sizes()) === '15/10');
  const rss = await replicaSets('prop');
  for (const rs of rss) {
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '20');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '25');
  }
});
