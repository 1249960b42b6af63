// Service account tokens (issue 9 item 5): `kubectl create token` (protobuf in 1.33, JSON in 1.27) gets
// a signed JWT for an existing ServiceAccount; that bearer token alone authenticates as
// system:serviceaccount:<ns>:<name>; a forged or unknown one is refused with 401.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { credentialsFrom, kubectl, kubectlOk, request, startTestServer } from '../lib/index.js';

const server = await startTestServer({ controlPlane: true });
after(async () => {
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
});
const admin = credentialsFrom(server.kubeconfig);
const asToken = (token: string) => ({ server: admin.server, ca: admin.ca, token });

async function defaultServiceAccount(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if ((await kubectl('1.33', server.kubeconfig, ['get', 'sa', 'default'])).code === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('no default ServiceAccount');
}

test('kubectl create token gives a JWT that authenticates as the service account', async () => {
  await defaultServiceAccount();
  for (const version of ['1.27', '1.33'] as const) {
    const token = (await kubectlOk(version, server.kubeconfig, ['create', 'token', 'default', '--duration=1h'])).trim();
    assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const review = await request(asToken(token), 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(review.status, 201, review.body);
    const user = JSON.parse(review.body).status.userInfo;
    assert.equal(user.username, 'system:serviceaccount:default:default');
    assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  }
});

test('a tampered token is 401; a token for a missing account is refused with NotFound', async () => {
  const token = (await kubectlOk('1.33', server.kubeconfig, ['create', 'token', 'default'])).trim();
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims['kubernetes.io'].serviceaccount.name = 'admin';
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  assert.equal((await request(asToken(forged), 'GET', '/api/v1/namespaces')).status, 401);
  const missing = await kubectl('1.33', server.kubeconfig, ['create', 'token', 'nosuch']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /serviceaccounts "nosuch" not found/);
});
