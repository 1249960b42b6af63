// From a pod's container to the runtime's CRI container config: command and args with $(VAR)
// expansion, resources mapped onto cgroups as kubelet does (cpu shares from requests, CFS quota from
// limits, memory limit, OOM score from the QoS class), and the security context merged from pod and
// container levels.
import { podQOSClass, Quantity } from '../api/index.js';
import type { ContainerConfigCRI, CriMount, LinuxResources, SecurityContext as CriSecurity } from '../engine/index.js';
import { ContainerConfigError, expandVars } from './env.js';
import type { Container, Pod } from '../client/index.js';

const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;

function quantity(v: string | number | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  return Quantity.parse(String(v));
}

/** Default imagePullPolicy (pkg/apis/core/v1/defaults.go): Always for :latest or untagged, else IfNotPresent. */
export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** cgroup settings of a container (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go). */
export function linuxResources(pod: Pod, c: Container, memoryCapacity: number): LinuxResources {
  const out: LinuxResources = {};
  const cpuReq = quantity(c.resources?.requests?.cpu);
  const cpuLim = quantity(c.resources?.limits?.cpu);
  const memLim = quantity(c.resources?.limits?.memory);
  const memReq = quantity(c.resources?.requests?.memory);
  const reqMilli = cpuReq?.milliValue() ?? cpuLim?.milliValue();
  out.cpuShares = reqMilli === undefined ? MIN_SHARES : Math.max(MIN_SHARES, Math.floor((reqMilli * 1024) / 1000));
  if (cpuLim) {
    out.cpuPeriod = CPU_PERIOD;
    out.cpuQuota = Math.max(1000, Math.floor((cpuLim.milliValue() * CPU_PERIOD) / 1000));
  }
  if (memLim) out.memoryLimitInBytes = memLim.value();
  const qos = podQOSClass(pod as unknown as Parameters<typeof podQOSClass>[0]);
  if (qos === 'Guaranteed') out.oomScoreAdj = -997;
  else if (qos === 'BestEffort') out.oomScoreAdj = 1000;
  else {
    const req = memReq?.value() ?? 0;
    const adj = 1000 - Math.floor((1000 * req) / Math.max(1, memoryCapacity));
    out.oomScoreAdj = Math.min(999, Math.max(3, adj));
  }
  return out;
}

/** Pod and container security contexts merged (container wins), checked for runAsNonRoot. */
export function securityContext(pod: Pod, c: Container, imageUser: string): CriSecurity {
  const ps = pod.spec.securityContext ?? {};
  const cs = c.securityContext ?? {};
  const runAsUser = cs.runAsUser ?? ps.runAsUser;
  const runAsGroup = cs.runAsGroup ?? ps.runAsGroup;
  if (cs.runAsNonRoot ?? ps.runAsNonRoot) {
    const where = `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name}`;
    if (runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (${where})`);
    if (runAsUser === undefined) {
      const user = imageUser.split(':')[0];
      if (user === '' || user === 'root' || user === '0') throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (${where})`);
      if (!/^\d+$/.test(user)) throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (${where})`);
    }
  }
  const groups = [...(ps.supplementalGroups ?? []), ...(ps.fsGroup !== undefined ? [ps.fsGroup] : [])];
  return {
    runAsUser,
    runAsGroup,
    privileged: cs.privileged ?? false,
    readonlyRootfs: cs.readOnlyRootFilesystem ?? false,
    noNewPrivs: cs.allowPrivilegeEscalation === false,
    capabilities: cs.capabilities ? { addCapabilities: cs.capabilities.add, dropCapabilities: cs.capabilities.drop } : undefined,
    supplementalGroups: groups.length ? groups : undefined,
  };
}

export interface ContainerInputs {
  env: Array<[string, string]>;
  mounts: CriMount[];
  attempt: number;
  imageUser: string;
  memoryCapacity: number;
  labels: Record<string, string>;
}

export function criContainerConfig(pod: Pod, c: Container, inputs: ContainerInputs): ContainerConfigCRI {
  const vars = new Map(inputs.env);
  return {
    metadata: { name: c.name, attempt: inputs.attempt },
    image: c.image ?? '',
    command: c.command?.map((s) => expandVars(s, vars)),
    args: c.args?.map((s) => expandVars(s, vars)),
    workingDir: c.workingDir,
    envs: inputs.env.map(([key, value]) => ({ key, value })),
    mounts: inputs.mounts,
    labels: inputs.labels,
    logPath: `${c.name}/${inputs.attempt}.log`,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources: linuxResources(pod, c, inputs.memoryCapacity), securityContext: securityContext(pod, c, inputs.imageUser) },
  };
}
