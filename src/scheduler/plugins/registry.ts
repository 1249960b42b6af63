// Every plugin skiff's scheduler knows, and the default profile: the plugins kube-scheduler v1.33
// enables by default, in its order, with its score weights.
import type { Handle, Plugin } from '../framework.js';
import { balancedAllocation } from './balanced-allocation/index.js';
import { defaultBinder } from './default-binder/index.js';
import { defaultPreemption } from './default-preemption/index.js';
import { imageLocality } from './image-locality/index.js';
import { interPodAffinity } from './inter-pod-affinity/index.js';
import { nodeAffinity } from './node-affinity/index.js';
import { nodeName } from './node-name/index.js';
import { nodePorts } from './node-ports/index.js';
import { nodeResourcesFit } from './node-resources-fit/index.js';
import { nodeUnschedulable } from './node-unschedulable/index.js';
import { podTopologySpread } from './pod-topology-spread/index.js';
import { taintToleration } from './taint-toleration/index.js';
import { volumeBinding } from './volume-binding/index.js';

export type Factory = (args: Record<string, unknown>, handle: Handle) => Plugin;

export const REGISTRY: Record<string, Factory> = {
  NodeUnschedulable: () => nodeUnschedulable(),
  NodeName: () => nodeName(),
  TaintToleration: () => taintToleration(),
  NodeAffinity: () => nodeAffinity(),
  NodePorts: () => nodePorts(),
  NodeResourcesFit: (args) => nodeResourcesFit(args),
  VolumeBinding: (args, handle) => volumeBinding(args, handle),
  PodTopologySpread: (args, handle) => podTopologySpread(args, (pod) => handle.defaultSpreadSelector(pod)),
  InterPodAffinity: (args, handle) => interPodAffinity(args, (ns) => handle.namespaceLabels(ns)),
  DefaultPreemption: (args, handle) => defaultPreemption(args, handle),
  NodeResourcesBalancedAllocation: (args) => balancedAllocation(args),
  ImageLocality: () => imageLocality(),
  DefaultBinder: (args, handle) => defaultBinder(args, handle),
};

/** kube-scheduler's default multiPoint plugins and score weights (pkg/scheduler/apis/config/v1/default_plugins.go). */
export const DEFAULT_PLUGINS: Array<{ name: string; weight?: number }> = [
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];
