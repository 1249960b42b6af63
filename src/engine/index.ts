// The container engine's public API (daemonless, runc + conmon). Other folders import only this file.
export { Engine, type EngineOptions } from './engine.js';
export { EngineError, type EngineErrorKind } from './errors.js';
export type { Container, ContainerConfig, HostConfig, ContainerState, ContainerStatus, EngineExtras, SharedNamespaces, RestartPolicy } from './containers/types.js';
export type { CreateOptions, ExecOptions } from './containers/manager.js';
export { signalName, signalNumber } from './containers/manager.js';
export type { Image, ImageConfig, ImageRuntimeConfig, HistoryEntry } from './images/types.js';
export { parseReference, normalize, familiarName, familiarRepository, canonical, splitName, type Reference } from './images/reference.js';
export type { MountSpec } from './mounts.js';
export { parseBind } from './mounts.js';
export type { NetworkProvider, NetworkAttachRequest, NetworkAttachment } from './network-provider.js';
export { enginePaths, rootTag, type EnginePaths } from './paths.js';
export { formatTimeNano, parseTimeArg, parseTimeNano, readLogs, type LogMessage, type LogOptions } from './containers/logs.js';
export { chainIdOf } from './snapshots/overlay.js';
export { sha256File } from './content/store.js';
export { attachSocket, preloadAttach, resizePty, type AttachSession, type AttachStreams } from './containers/attach.js';
export { execSync, execStream, type ExecSession, type ExecSyncResult } from './containers/exec.js';
export { Runtime, containerMatches, sandboxMatches, type ContainerFilter, type SandboxFilter } from './runtime/index.js';
export type {
  PodSandboxConfig, PodSandboxStatus, SandboxMetadata, SandboxState, PortMapping, ContainerConfigCRI, ContainerStatusCRI, ContainerStateCRI,
  ContainerMetadata, CriMount, LinuxResources, SecurityContext, KeyValue, ImageStatusCRI, ImagePuller, ContainerStatsCRI,
} from './runtime/index.js';
export { containerChanges, commitContainer, importTarball, exportContainer, scopedPath, applyChange, type CommitOptions } from './containers/filesystem.js';
export { readCgroupStats, isCgroupV2, cgroupDir, type CgroupStats } from './containers/cgroups.js';
export type { Change } from './snapshots/overlay.js';
export { attachToBridge, detachFromBridge, removeBridgeNetwork, removeChainsByPrefix, linksWithPrefix, type BridgeNetworkSpec, type BridgeScope, type BridgeEndpoint, type BridgeAttachment } from './networks/index.js';
export { runcMessage as runcErrorText } from './containers/runc.js';
export { engineInfo, goArch, osName, skiffVersion } from './system-info.js';
export { anyValue, checkFilterKeys, filtersFromFlags, labelsMatch, type Filters } from './filters.js';
export { CONTAINER_FILTERS, containerFilter, isUp, listContainers, type ListOptions } from './containers/list-filters.js';
export { rwSize } from './containers/size.js';
export { humanDuration, statusText } from './containers/status-text.js';
export { pruneContainers, pruneImages } from './prune.js';
export { containerTop, type TopResult } from './containers/top.js';
export { connectContainer, disconnectContainer } from './network-connect.js';
export { sampleStats, type InterfaceCounters, type StatsSample } from './containers/stats.js';
export { EVENT_FILTERS, followEvents, type EngineEvent, type EventQuery } from './event-stream.js';
export { traceMark } from './trace.js';
export { IMAGE_FILTERS, listedNames, listImages, NETWORK_FILTERS, networkFilter, VOLUME_FILTERS, volumeFilter } from './list-filters.js';
export { diskUsage, type DiskUsage } from './disk-usage.js';
