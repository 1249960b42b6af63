// The bridge attachment library on the real CNI plugins: two private network namespaces on one bridge
// reach each other and the gateway; detaching frees the address; removing the network leaves no link,
// chain or IPAM state behind. Everything is named from this run's random tag and removed in `after`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { attachToBridge, checkBridge, detachFromBridge, linksWithPrefix, removeBridgeNetwork, removeChainsByPrefix, type BridgeNetworkSpec, type BridgeScope } from '../../../src/engine/networks/index.js';

const tag = crypto.randomBytes(3).toString('hex');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), `skiff-brtest-${tag}-`));
const scope: BridgeScope = { stateDir: path.join(dir, 'state'), chainPrefix: `SKIFF-T${tag}` };
// A /24 inside 10.250.0.0/16 from the tag, so parallel runs rarely pick the same subnet.
const third = parseInt(tag.slice(0, 2), 16);
const net: BridgeNetworkSpec = { name: `t${tag}`, bridge: `skt${tag}`, subnet: `10.250.${third}.0/24` };
const namespaces: string[] = [];

function newNetns(name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '');
  const r = spawnSync('unshare', [`--net=${file}`, 'true'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  namespaces.push(file);
  return file;
}

function inNetns(file: string, cmd: string[]): { code: number; out: string } {
  const r = spawnSync('nsenter', [`--net=${file}`, '--', ...cmd], { encoding: 'utf8', timeout: 20000 });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

function iptablesSave(): string {
  return spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout;
}

after(async () => {
  await removeBridgeNetwork(scope, net).catch(() => undefined);
  removeChainsByPrefix(scope.chainPrefix);
  for (const f of namespaces) spawnSync('umount', [f]);
  for (const l of linksWithPrefix(net.bridge)) spawnSync('ip', ['link', 'del', l]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('two namespaces on one bridge reach each other; cleanup leaves nothing', async () => {
  const a = newNetns('a');
  const b = newNetns('b');
  const attA = await attachToBridge(scope, net, { containerId: `a${tag}`, netnsPath: a });
  const attB = await attachToBridge(scope, net, { containerId: `b${tag}`, netnsPath: b });
  assert.equal(attA.gateway, `10.250.${third}.1`);
  assert.equal(attA.prefixLen, 24);
  assert.notEqual(attA.ip, attB.ip);
  assert.match(attA.mac, /^[0-9a-f:]{17}$/);
  assert.equal(inNetns(a, ['busybox', 'ping', '-c', '1', '-W', '2', attB.ip]).code, 0, 'a → b');
  assert.equal(inNetns(b, ['busybox', 'ping', '-c', '1', '-W', '2', attA.gateway]).code, 0, 'b → gateway');
  assert.match(inNetns(a, ['ip', '-o', 'addr', 'show', 'lo']).out, /127\.0\.0\.1/, 'lo is up');
  assert.match(iptablesSave(), new RegExp(`-A POSTROUTING -j ${scope.chainPrefix}-N`));
  assert.equal(fs.readFileSync(`/proc/sys/net/ipv4/conf/${net.bridge}/route_localnet`, 'utf8').trim(), '1');

  await checkBridge(scope, net, { containerId: `a${tag}`, netnsPath: a });
  spawnSync('nsenter', [`--net=${a}`, '--', 'ip', 'addr', 'flush', 'dev', 'eth0']);
  await assert.rejects(checkBridge(scope, net, { containerId: `a${tag}`, netnsPath: a }), /CNI|plugin type="bridge"/);

  await detachFromBridge(scope, net, { containerId: `a${tag}`, netnsPath: a });
  await detachFromBridge(scope, net, { containerId: `a${tag}`, netnsPath: a });
  assert.doesNotMatch(inNetns(a, ['ip', '-o', 'link']).out, /eth0/);
  assert.ok(!fs.existsSync(path.join(scope.stateDir, 'ipam', net.name, attA.ip)), 'address freed');

  await detachFromBridge(scope, net, { containerId: `b${tag}`, netnsPath: b });
  await removeBridgeNetwork(scope, net);
  assert.deepEqual(linksWithPrefix(net.bridge), []);
  assert.ok(!iptablesSave().includes(scope.chainPrefix), 'no chain or jump left');
});

test('an internal network has no default route and drops forwarding off the bridge', async () => {
  const internal: BridgeNetworkSpec = { ...net, name: `i${tag}`, bridge: `ski${tag}`, subnet: `10.251.${third}.0/24`, internal: true };
  const c = newNetns('c');
  try {
    await attachToBridge(scope, internal, { containerId: `c${tag}`, netnsPath: c });
    assert.doesNotMatch(inNetns(c, ['ip', 'route']).out, /default/);
    assert.match(iptablesSave(), new RegExp(`-A ${scope.chainPrefix}-N\\w+ -i ${internal.bridge} ! -o ${internal.bridge} -j DROP`));
  } finally {
    await detachFromBridge(scope, internal, { containerId: `c${tag}`, netnsPath: c });
    await removeBridgeNetwork(scope, internal);
  }
  assert.deepEqual(linksWithPrefix(internal.bridge), []);
  assert.ok(!iptablesSave().includes(scope.chainPrefix));
});

test('the single-bridge provider attaches by network name and detaches idempotently', async () => {
  const { singleBridgeProvider } = await import('../../../src/engine/networks/index.js');
  const pods: BridgeNetworkSpec = { name: `p${tag}`, bridge: `skp${tag}`, subnet: `10.252.${third}.0/24` };
  const provider = singleBridgeProvider(scope, pods);
  const d = newNetns('d');
  const req = { containerId: `d${tag}`, containerName: 'd', network: pods.name, netnsPath: d, hostname: 'd', portBindings: {}, aliases: [] };
  try {
    assert.ok(provider.handles(pods.name));
    assert.ok(!provider.handles('bridge'));
    const att = await provider.attach(req);
    assert.equal(att.gateway, `10.252.${third}.1`);
    await provider.detach(req);
    await provider.detach(req);
  } finally {
    await removeBridgeNetwork(scope, pods);
  }
  assert.deepEqual(linksWithPrefix(pods.bridge), []);
});
