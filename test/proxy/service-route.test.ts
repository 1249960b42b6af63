// Two nodes of one cluster on one host route the same service CIDR into their own bridges; removing one
// keeps the other's route and the unreachable safety net, removing the last removes everything.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { ensureServiceRoute, removeServiceRoute } from '../../src/proxy/index.js';

const tag = crypto.randomBytes(2).toString('hex');
const cidr = `10.97.${parseInt(tag, 16) % 250}.0/24`;
const [a, b] = [`skiffsvcr${tag}`, `skiffsvcs${tag}`];
const routes = () => execFileSync('ip', ['route', 'show', cidr]).toString();

after(async () => {
  await removeServiceRoute(cidr, a);
  await removeServiceRoute(cidr, b);
});

test('both bridges route the CIDR; the unreachable route outlives the first removal', async () => {
  await ensureServiceRoute(cidr, a);
  await ensureServiceRoute(cidr, b);
  await ensureServiceRoute(cidr, a);
  assert.match(routes(), new RegExp(`dev ${a} `));
  assert.match(routes(), new RegExp(`dev ${b} `));
  assert.match(routes(), /^unreachable /m);
  await removeServiceRoute(cidr, a);
  assert.doesNotMatch(routes(), new RegExp(`dev ${a} `));
  assert.match(routes(), /^unreachable /m);
  await removeServiceRoute(undefined, b);
  assert.equal(routes().trim(), '');
});
