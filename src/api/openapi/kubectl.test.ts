// The real kubectl (1.27: protobuf /openapi/v2 first; 1.33: /openapi/v3) against skiff's documents.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openapiV2Protobuf } from '../protobuf/index.js';
import { findUnknownFields, strictDecodingError } from './index.js';
import { startFakeApiServer, type FakeApiServer } from './test-server.js';

const VERSIONS = ['1.27', '1.33'];

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

describe('kubectl against the OpenAPI documents', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await startFakeApiServer(openapiV2Protobuf, (req, res) => {
      if (req.method !== 'POST') return false;
      const obj = JSON.parse(req.body.toString()) as { kind: string; apiVersion: string };
      const unknown = findUnknownFields(obj);
      const url = new URL(req.url, 'http://x');
      if (url.searchParams.get('fieldValidation') === 'Strict' && unknown.length) {
        const status = strictDecodingError(obj.kind, obj.apiVersion, unknown.map((p) => `unknown field "${p}"`)).toStatus();
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(status));
        return true;
      }
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(obj));
      return true;
    });
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

    it(`${version}: default validation refuses an unknown field with the server's message`, async () => {
      const { code, stderr } = await server.kubectl(version, ['create', '-f', 'bad.yaml'], { 'bad.yaml': BAD_POD });
      assert.equal(code, 1);
      assert.equal(
        stderr.trim(),
        'Error from server (BadRequest): error when creating "bad.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolicyy"',
      );
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
