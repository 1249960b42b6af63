// skiff's client library: how every component (scheduler, controllers, kubelet, hollow nodes) talks to
// the API server. See each file for the concept it holds.
export { loadKubeconfig, parseKubeconfig, inClusterConfig, ConfigError, SERVICE_ACCOUNT_DIR, type ClientConfig, type LoadOptions } from './config.js';
export { RestClient, type RequestOptions, type RestClientOptions, type WatchEvent, type WatchEventType, type WatchHandle, type WatchHandlers, type QueryValue } from './rest.js';
export { errorFromResponse, errorFromStatus, isNotFound, isAlreadyExists, isConflict, isInvalid, isForbidden, isResourceExpired } from './errors.js';
export { ResourceClient, resourcePath, type ResourceRef, type ListOptions, type WatchOptions, type WriteOptions, type DeleteOptions, type PatchType } from './resource.js';
export { Indexer, Lister, objectKey, splitKey, labelIndexFunc, namespaceIndexFunc, NAMESPACE_INDEX, type IndexFunc, type LabelMatcher } from './cache.js';
export { Informer, InformerFactory, type EventHandler, type InformerOptions } from './informer.js';
export { WorkQueue, runWorkers, defaultControllerRateLimiter, ItemExponentialRateLimiter, BucketRateLimiter, MaxOfRateLimiter, type RateLimiter } from './workqueue.js';
export { EventRecorder, type EventType, type EventSource, type CoreEvent } from './events.js';
export { ControllerExpectations } from './expectations.js';
export { LeaderElector, type LeaderElectionOptions, type Lease, type LeaseSpec } from './leader-election.js';
export { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
export { refs, rfc3339, microTime } from './refs.js';
export { logError, logDebug } from './log.js';
export { newControllerRef, controllerRefOf, isControlledBy, claimObjects, workloadSelector, resolveControllerRef, adoptersOf, type ClaimOptions } from './controller-ref.js';
export { UIDTrackingExpectations } from './uid-expectations.js';
export { requeueOnConflict } from './requeue.js';
export { isPodReady, isPodAvailable, isPodActive, podReadyTime, podReadyCondition, maxContainerRestarts, podFromTemplate, type PodTemplate } from './pods.js';

import { loadKubeconfig, type LoadOptions } from './config.js';
import { RestClient, type RestClientOptions } from './rest.js';

/** A RestClient for the cluster a kubeconfig file points at. */
export function clientFromKubeconfig(file: string, options: LoadOptions & RestClientOptions = {}): RestClient {
  return new RestClient(loadKubeconfig(file, options), options);
}
export { runWhileLeading, type LeaderRun, type Stoppable } from './leader-run.js';
export { QueueController } from './queue-controller.js';
export type {
  Quantity,
  ResourceList,
  ContainerPort,
  Container,
  Toleration,
  TaintEffect,
  Taint,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  NodeSelector,
  PreferredSchedulingTerm,
  NodeAffinity,
  PodAffinityTerm,
  WeightedPodAffinityTerm,
  PodAffinity,
  TopologySpreadConstraint,
  EnvVar,
  EnvFromSource,
  VolumeMount,
  ProbeHandler,
  Probe,
  SecurityContext,
  PodSecurityContext,
  KeyToPath,
  DownwardAPIFile,
  VolumeProjection,
  Volume,
  PodSpec,
  ContainerState,
  PodCondition,
  ContainerStatus,
  PodStatus,
  Pod,
  NodeCondition,
  Node,
  PersistentVolumeClaim,
  PersistentVolume,
  ClaimRef,
  StorageClass,
} from './types.js';
export {
  bestMatch,
  fits,
  claimClass,
  volumeBoundToClaim,
  SELECTED_NODE_ANNOTATION,
  BIND_COMPLETED_ANNOTATION,
  BOUND_BY_CONTROLLER_ANNOTATION,
  type MatchOptions,
} from './volume-matching.js';
