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
export { attachSocket, resizePty, type AttachSession, type AttachStreams } from './containers/attach.js';
