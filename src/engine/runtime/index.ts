// The CRI-shaped runtime interface the kubelet uses (through src/engine/index.ts).
export { Runtime, containerMatches, sandboxMatches, type ContainerFilter, type SandboxFilter } from './runtime.js';
export type * from './types.js';
