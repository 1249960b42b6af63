// kubectl >= 1.32 POSTs typed-client objects as protobuf; kubectl 1.31 sends the same objects as
// JSON. Each command runs under all three against a capture server: the decoded protobuf body must be
// the object 1.31 sent (after dropping the `null`s Go's JSON encoder writes for unset structs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeApiServer, storeHandler, type FakeApiServer, type StoredObject } from '../openapi/test-server.js';
import { decodeProtobufObject, openapiV2Protobuf, PROTOBUF_CONTENT_TYPE } from './index.js';

/** 1.31 is the last kubectl that sends these bodies as JSON; 1.32 and 1.33 send protobuf. */
const VERSIONS = ['1.31', '1.32', '1.33'];

const COMMANDS: string[][] = [
  ['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '--port=80'],
  ['create', 'deployment', 'zero', '--image=nginx', '--replicas=0'],
  ['create', 'job', 'j1', '--image=busybox', '--', 'sleep', '10'],
  ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/1 * * * *'],
  ['create', 'service', 'clusterip', 's1', '--tcp=80:8080'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
  ['create', 'service', 'externalname', 'ex', '--external-name=example.com'],
  ['create', 'namespace', 'team1'],
  ['create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=c=d'],
  ['create', 'secret', 'generic', 's1', '--from-literal=k=v'],
  ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.local', '--docker-username=u', '--docker-password=p'],
  ['create', 'serviceaccount', 'sa1'],
  ['create', 'role', 'r', '--verb=get,list', '--resource=pods'],
  ['create', 'clusterrole', 'cr', '--verb=get', '--resource=nodes'],
  ['create', 'rolebinding', 'rb', '--role=r', '--user=alice'],
  ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--group=devs'],
  ['create', 'quota', 'q', '--hard=cpu=1,memory=1G,pods=10'],
  ['create', 'pdb', 'p1', '--selector=app=x', '--min-available=50%'],
  ['create', 'pdb', 'p2', '--selector=app=x', '--max-unavailable=1'],
  ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc:80', '--class=nginx'],
  ['create', 'priorityclass', 'pc', '--value=1000', '--description=x', '--preemption-policy=Never'],
  ['auth', 'can-i', 'create', 'pods'],
  ['auth', 'can-i', '--list'],
  // Reads the CronJob an earlier command created.
  ['create', 'job', 'from-cron', '--from=cronjob/cj1'],
  ['create', 'token', 'sa1', '--duration=1h', '--audience=a', '--audience=b'],
];

/** Go writes `"creationTimestamp":null` for an unset metav1.Time; protobuf has nothing to decode. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

describe('protobuf request bodies of kubectl 1.32 and 1.33', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer(
      openapiV2Protobuf,
      storeHandler({ decode: (req) => (req.headers['content-type'] === PROTOBUF_CONTENT_TYPE ? decodeProtobufObject(req.body) : JSON.parse(req.body.toString())) as StoredObject }),
    );
  });
  after(async () => server.close());

  /** The body each kubectl version POSTed for `args` (both run at once, told apart by User-Agent). */
  async function bodies(args: string[]): Promise<Record<string, { contentType: string; body: Buffer }>> {
    const start = server.requests.length;
    const runs = await Promise.all(VERSIONS.map((v) => server.kubectl(v, [...args, '-n', 'default'])));
    const mine = server.requests.slice(start);
    return Object.fromEntries(
      VERSIONS.map((v, i) => {
        const post = mine.find((r) => r.method === 'POST' && String(r.headers['user-agent']).includes(`/v${v}.`));
        assert.ok(post, `${v} ${args.join(' ')} posted nothing: ${runs[i]!.stderr}`);
        return [v, { contentType: String(post.headers['content-type']), body: post.body }];
      }),
    );
  }

  for (const args of COMMANDS) {
    it(`kubectl ${args.join(' ')}`, async () => {
      const { '1.31': json, ...protos } = await bodies(args);
      assert.equal(json!.contentType, 'application/json');
      for (const proto of Object.values(protos)) {
        assert.equal(proto.contentType, PROTOBUF_CONTENT_TYPE);
        assert.deepEqual(decodeProtobufObject(proto.body), withoutNulls(JSON.parse(json!.body.toString())));
      }
    });
  }

  it('kubectl autoscale (autoscaling/v2 in 1.33, v1 before: compared with the object kube decodes)', async () => {
    const { '1.33': proto } = await bodies(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80']);
    assert.deepEqual(decodeProtobufObject(proto.body), {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
      // desiredReplicas has no omitempty in Go, so kube's JSON carries the zero gogo wrote.
      status: { desiredReplicas: 0 },
    });
  });
});
