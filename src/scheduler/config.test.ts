import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseSchedulerConfig, SchedulerConfigError } from './config.js';
import { makeFramework } from './testing.js';

test('the default profile has kube-scheduler v1.33 plugins and weights', () => {
  const fw = makeFramework();
  assert.deepEqual(fw.filterPlugins.map((p) => p.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(
    fw.scorePlugins.map((s) => `${s.plugin.name}=${s.weight}`),
    ['TaintToleration=3', 'NodeAffinity=2', 'NodeResourcesFit=1', 'PodTopologySpread=2', 'InterPodAffinity=2', 'NodeResourcesBalancedAllocation=1', 'ImageLocality=1'],
  );
  assert.deepEqual(fw.postFilterPlugins.map((p) => p.name), ['DefaultPreemption']);
  assert.deepEqual(fw.bindPlugins.map((p) => p.name), ['DefaultBinder']);
});

test('profiles: several schedulerNames, plugins disabled and re-weighted per point', () => {
  const cfg = parseSchedulerConfig(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      disabled: [{name: '*'}]
      enabled: [{name: NodeResourcesFit, weight: 5}]
    postFilter:
      disabled: [{name: DefaultPreemption}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
`);
  assert.equal(cfg.percentageOfNodesToScore, 30);
  assert.deepEqual(cfg.profiles!.map((p) => p.schedulerName), ['default-scheduler', 'packer']);
  const packer = makeFramework(cfg.profiles![1]);
  assert.deepEqual(packer.scorePlugins.map((s) => `${s.plugin.name}=${s.weight}`), ['NodeResourcesFit=5']);
  assert.equal(packer.postFilterPlugins.length, 0);
  assert.equal(packer.preScorePlugins.length, 0, 'no PreScore without its Score');
});

test('invalid configurations are refused with a message saying what is wrong', () => {
  assert.throws(() => parseSchedulerConfig('profiles: [{schedulerName: a}, {schedulerName: a}]'), /profiles\[1\]\.schedulerName: Duplicate value: "a"/);
  assert.throws(() => parseSchedulerConfig('profiles: [{plugins: {score: {enabled: [{name: Nope}]}}}]'), /plugin "Nope" does not exist/);
  assert.throws(() => parseSchedulerConfig('percentageOfNodesToScore: 120'), SchedulerConfigError);
  assert.throws(() => parseSchedulerConfig('apiVersion: kubescheduler.config.k8s.io/v9\nkind: KubeSchedulerConfiguration'), /no kind "KubeSchedulerConfiguration" is registered/);
  assert.equal(parseDuration('1m30s', 0), 90_000);
  assert.equal(parseDuration(undefined, 15_000), 15_000);
  assert.throws(() => parseDuration('soon', 0), /invalid duration/);
});
