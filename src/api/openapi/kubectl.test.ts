// The real kubectl against skiff's documents (1.27 always reads the protobuf /openapi/v2 first;
// newer ones read /openapi/v3 and fall back to v2).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openapiV2Protobuf } from '../protobuf/index.js';
import { findUnknownFields, strictDecodingError, unknownFieldMessage } from './index.js';
import { startFakeApiServer, storeHandler, type FakeApiServer, type Handler } from './test-server.js';

// Every kubectl the issue names (1.27 to 1.33).
const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

const deployment = (name: string, image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: ${image}
`;

const BAD_POD = `apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
  - name: c
    image: busybox
    imagePullPolicyy: Always
`;

/** Stores objects (so a second `apply` patches) and refuses unknown fields under Strict, as kube-apiserver does. */
function strictStore(): Handler {
  return storeHandler({
    refuse(obj, url) {
      const unknown = findUnknownFields(obj);
      if (url.searchParams.get('fieldValidation') !== 'Strict' || unknown.length === 0) return undefined;
      return strictDecodingError(obj.kind, obj.apiVersion, unknown.map(unknownFieldMessage)).toStatus();
    },
  });
}

const UNKNOWN_FIELD_ERROR =
  'Error from server (BadRequest): error when creating "bad.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolicyy"';

describe('kubectl against the OpenAPI documents', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer(openapiV2Protobuf, strictStore());
  });
  after(async () => server.close());

  for (const version of VERSIONS) {
    it(`${version}: explain pod.spec`, async () => {
      const { code, stdout, stderr } = await server.kubectl(version, ['explain', 'pod.spec']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /KIND:\s+Pod/);
      assert.match(stdout, /FIELD:\s+spec <PodSpec>/);
      assert.match(stdout, /PodSpec is a description of a pod\./);
      assert.match(stdout, /containers\s+<\[\]Container> -required-/);
      assert.match(stdout, /restartPolicy\s+<string>/);
    });

    it(`${version}: explain DaemonSet.spec.selector`, async () => {
      const { code, stdout, stderr } = await server.kubectl(version, ['explain', 'DaemonSet.spec.selector']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /GROUP:\s+apps/);
      assert.match(stdout, /KIND:\s+DaemonSet/);
      assert.match(stdout, /FIELD:\s+selector <LabelSelector>/);
      assert.match(stdout, /matchLabels\s+<map\[string\]string>/);
    });

    it(`${version}: explain names int-or-string and quantity fields by type and lists enums`, async () => {
      const port = await server.kubectl(version, ['explain', 'svc.spec.ports.targetPort']);
      assert.match(port.stdout, /FIELD:\s+targetPort <IntOrString>/, port.stderr);
      const resources = await server.kubectl(version, ['explain', 'pod.spec.containers.resources']);
      assert.match(resources.stdout, /limits\s+<map\[string\]Quantity>/, resources.stderr);
      const policy = await server.kubectl(version, ['explain', 'pod.spec.containers.imagePullPolicy']);
      assert.match(policy.stdout, /Possible enum values:\n\s+- `"Always"` means that kubelet always attempts to pull the latest image\./, policy.stderr);
    });

    it(`${version}: default validation refuses an unknown field with the server's message`, async () => {
      const { code, stderr } = await server.kubectl(version, ['create', '-f', 'bad.yaml'], { 'bad.yaml': BAD_POD });
      assert.equal(code, 1);
      assert.equal(stderr.trim(), UNKNOWN_FIELD_ERROR);
    });

    it(`${version}: apply builds a strategic merge patch with the built-in merge keys`, async () => {
      const name = `web-${version.replace('.', '-')}`;
      const file = `${name}.yaml`;
      assert.equal((await server.kubectl(version, ['apply', '-f', file], { [file]: deployment(name, 'nginx:1') })).stdout.trim(), `deployment.apps/${name} created`);
      const start = server.requests.length;
      const { stdout, stderr } = await server.kubectl(version, ['apply', '-f', file], { [file]: deployment(name, 'nginx:2') });
      assert.equal(stdout.trim(), `deployment.apps/${name} configured`, stderr);
      const patch = server.requests.slice(start).find((r) => r.method === 'PATCH');
      assert.equal(patch?.headers['content-type'], 'application/strategic-merge-patch+json');
      const body = JSON.parse(patch.body.toString()) as { spec: unknown };
      assert.deepEqual(body.spec, { template: { spec: { containers: [{ image: 'nginx:2', name: 'c' }], '$setElementOrder/containers': [{ name: 'c' }] } } });
    });
  }

  it('1.33: explain from the protobuf v2 document', async () => {
    const { code, stdout, stderr } = await server.kubectl('1.33', ['explain', 'deployment.spec.strategy', '--output=plaintext-openapiv2']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /KIND:\s+Deployment/);
    assert.match(stdout, /RESOURCE: strategy <Object>/);
    assert.match(stdout, /rollingUpdate\s+<Object>/);
  });
});

describe('kubectl against a server without /openapi/v3', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer(openapiV2Protobuf, strictStore(), { withoutV3: true });
  });
  after(async () => server.close());

  for (const version of ['1.27', '1.33']) {
    it(`${version}: explains from the protobuf v2 document and still finds server-side validation in it`, async () => {
      const explain = await server.kubectl(version, ['explain', 'pod.spec.containers.ports']);
      assert.equal(explain.code, 0, explain.stderr);
      assert.match(explain.stdout, /RESOURCE: ports <\[\]Object>/);
      assert.match(explain.stdout, /containerPort\s+<integer> -required-/);
      const create = await server.kubectl(version, ['create', '-f', 'bad.yaml'], { 'bad.yaml': BAD_POD });
      assert.equal(create.stderr.trim(), UNKNOWN_FIELD_ERROR);
    });
  }
});
