// The CRI-shaped runtime the kubelet drives: a pod sandbox is an infra container (catatonit in pause
// mode) that owns the network namespace (via the engine's network provider), IPC and UTS namespaces;
// the sandbox's containers join them and share its /etc/hosts and resolv.conf and its /dev/shm (shm.ts).
// Engine-private
// metadata rides on labels under `skiff.cri.`, which CRI callers never see.
import fs from 'node:fs';
import path from 'node:path';
import { conflict, notFound } from '../errors.js';
import { attachSocket, resizePty, type AttachSession, type AttachStreams } from '../containers/attach.js';
import { execStream, execSync, type ExecSession, type ExecSyncResult } from '../containers/exec.js';
import type { Container } from '../containers/types.js';
import type { Engine } from '../engine.js';
import { familiarName, normalize } from '../images/reference.js';
import type { Image } from '../images/types.js';
import type { MountSpec } from '../mounts.js';
import { readCgroupStats } from '../containers/cgroups.js';
import { skiffVersion } from '../system-info.js';
import { HOST_SHM, mountSandboxShm, releaseSandboxShm, releaseStaleSandboxShms, sandboxShmPath } from './shm.js';
import type {
  ContainerConfigCRI, ContainerStateCRI, ContainerStatsCRI, ContainerStatusCRI, CriMount, ImagePuller, ImageStatusCRI, LinuxResources, PodSandboxConfig,
  PodSandboxStatus,
} from './types.js';

const P = 'skiff.cri.';
const INFRA_BINARY = '/usr/bin/catatonit';
const INFRA_IMAGE = 'busybox';

function nanos(iso: string): bigint {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || ms < 0 ? 0n : BigInt(ms) * 1000000n;
}

function userLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith(P)));
}

function propagation(m: CriMount): string {
  if (m.propagation === 'PROPAGATION_BIDIRECTIONAL') return 'rshared';
  if (m.propagation === 'PROPAGATION_HOST_TO_CONTAINER') return 'rslave';
  return 'rprivate';
}

export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerStateCRI;
  labelSelector?: Record<string, string>;
}

export interface SandboxFilter {
  id?: string;
  state?: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  labelSelector?: Record<string, string>;
}

/** CRI ListContainers' filter semantics (id prefix, sandbox, state, all labels). */
export function containerMatches(s: ContainerStatusCRI, filter: ContainerFilter): boolean {
  return (!filter.id || s.id.startsWith(filter.id)) && (!filter.podSandboxId || s.podSandboxId === filter.podSandboxId) && (!filter.state || s.state === filter.state) && Object.entries(filter.labelSelector ?? {}).every(([k, v]) => s.labels[k] === v);
}

/** CRI ListPodSandbox's filter semantics (id prefix, state, all labels). */
export function sandboxMatches(s: PodSandboxStatus, filter: SandboxFilter): boolean {
  return (!filter.id || s.id.startsWith(filter.id)) && (!filter.state || s.state === filter.state) && Object.entries(filter.labelSelector ?? {}).every(([k, v]) => s.labels[k] === v);
}

export class Runtime {
  constructor(
    readonly engine: Engine,
    private readonly puller?: ImagePuller,
  ) {}

  private get containers() {
    return this.engine.containers;
  }

  // ---- sandboxes -------------------------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const m = config.metadata;
    await this.engine.images.ensureBusybox();
    const ports: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of config.portMappings ?? []) {
      if (!p.hostPort) continue;
      (ports[`${p.containerPort}/${p.protocol.toLowerCase()}`] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: String(p.hostPort) });
    }
    const c = await this.containers.create({
      name: `sandbox_${m.name}_${m.namespace}_${m.uid}_${m.attempt}`,
      image: INFRA_IMAGE,
      config: {
        Hostname: config.hostname ?? '',
        Cmd: ['/catatonit', '-P'],
        Labels: {
          ...(config.labels ?? {}),
          [`${P}sandbox.name`]: m.name,
          [`${P}sandbox.namespace`]: m.namespace,
          [`${P}sandbox.uid`]: m.uid,
          [`${P}sandbox.attempt`]: String(m.attempt),
          [`${P}sandbox.logdir`]: config.logDirectory ?? '',
          ...(config.hostPID ? { [`${P}sandbox.hostpid`]: 'true' } : {}),
          ...(config.hostIPC ? { [`${P}sandbox.hostipc`]: 'true' } : {}),
        },
      },
      hostConfig: {
        NetworkMode: config.hostNetwork ? 'host' : config.network ?? 'none',
        PortBindings: ports,
        LogConfig: { Type: 'none', Config: {} },
      },
      mounts: [{ Type: 'bind', Source: INFRA_BINARY, Destination: '/catatonit', RW: false }],
      extras: { sandbox: true, annotations: config.annotations ?? {}, dns: config.dnsConfig, cgroupParent: config.cgroupParent },
    });
    try {
      if (!config.hostIPC) mountSandboxShm(this.root, c.Id);
      await this.containers.start(c.Id);
    } catch (err) {
      await this.containers.remove(c.Id, { force: true }).catch(() => undefined);
      releaseSandboxShm(this.root, c.Id);
      throw err;
    }
    return c.Id;
  }

  private get root(): string {
    return this.engine.paths.root;
  }

  /**
   * Where the sandbox's /dev/shm lives on the host: the node's own for hostIPC, else the sandbox's
   * tmpfs (none for a sandbox made before sandboxes had one: its containers get no /dev/shm, as before).
   */
  private shmOf(sb: Container): string | undefined {
    if (sb.Config.Labels[`${P}sandbox.hostipc`]) return HOST_SHM;
    const dir = sandboxShmPath(this.root, sb.Id);
    return fs.existsSync(dir) ? dir : undefined;
  }

  private sandbox(id: string): Container {
    const c = this.containers.find(id);
    if (!c || !c.Extras.sandbox) throw notFound(`pod sandbox ${id} not found`);
    return c;
  }

  private members(sandboxId: string): Container[] {
    return this.containers.list().filter((c) => c.Config.Labels[`${P}sandbox.id`] === sandboxId);
  }

  /**
   * Stops every container of the sandbox and the sandbox itself; its network and its /dev/shm are
   * released (as CRI-O: nothing of the pod runs any more, and no container can start in it). Idempotent.
   */
  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.containers.find(id);
    if (!sb) return;
    for (const c of this.members(sb.Id)) if (c.State.Running) await this.containers.stop(c.Id, 0);
    if (sb.State.Running) await this.containers.stop(sb.Id, 0);
    releaseSandboxShm(this.root, sb.Id);
  }

  async removePodSandbox(id: string): Promise<void> {
    const sb = this.containers.find(id);
    if (!sb) return;
    for (const c of this.members(sb.Id)) await this.containers.remove(c.Id, { force: true });
    await this.containers.remove(sb.Id, { force: true });
    releaseSandboxShm(this.root, sb.Id);
  }

  /** Unmounts the /dev/shm of sandboxes that are gone without removePodSandbox (removed out of band, or a crash in between). */
  releaseStaleSandboxShms(): void {
    releaseStaleSandboxShms(this.root, (id) => this.containers.find(id)?.Extras.sandbox === true);
  }

  podSandboxStatus(id: string): PodSandboxStatus {
    return this.sandboxStatus(this.sandbox(id));
  }

  private sandboxStatus(c: Container): PodSandboxStatus {
    const l = c.Config.Labels;
    return {
      id: c.Id,
      metadata: { name: l[`${P}sandbox.name`], namespace: l[`${P}sandbox.namespace`], uid: l[`${P}sandbox.uid`], attempt: Number(l[`${P}sandbox.attempt`]) },
      state: c.State.Running ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      createdAt: nanos(c.Created),
      network: { ip: Object.values(c.NetworkSettings.Networks).find((n) => n.IPAddress)?.IPAddress ?? '' },
      netnsPath: c.NetworkSettings.SandboxKey || (c.State.Running && c.HostConfig.NetworkMode !== 'host' ? `/proc/${c.State.Pid}/ns/net` : ''),
      labels: userLabels(l),
      annotations: c.Extras.annotations ?? {},
    };
  }

  listPodSandbox(filter: SandboxFilter = {}): PodSandboxStatus[] {
    return this.containers
      .list()
      .filter((c) => c.Extras.sandbox)
      .map((c) => this.sandboxStatus(c))
      .filter((s) => sandboxMatches(s, filter));
  }

  // ---- containers -----------------------------------------------------------------------------------

  async createContainer(sandboxId: string, config: ContainerConfigCRI): Promise<string> {
    const sb = this.sandbox(sandboxId);
    if (!sb.State.Running) throw conflict(`pod sandbox ${sandboxId} is not running`);
    const sbLabels = sb.Config.Labels;
    const sec = config.linux?.securityContext ?? {};
    const res = config.linux?.resources ?? {};
    const user = sec.runAsUsername ? sec.runAsUsername : sec.runAsUser !== undefined ? `${sec.runAsUser}${sec.runAsGroup !== undefined ? `:${sec.runAsGroup}` : ''}` : undefined;
    const mounts: MountSpec[] = (config.mounts ?? []).map((m) => ({
      Type: 'bind', Source: m.hostPath, Destination: m.containerPath, RW: !m.readonly, Propagation: propagation(m),
    }));
    // The pod's shared /dev/shm, unless the pod mounts a volume there itself (an emptyDir of medium Memory).
    const shm = this.shmOf(sb);
    if (shm && !mounts.some((m) => path.posix.resolve('/', m.Destination) === '/dev/shm')) {
      mounts.push({ Type: 'bind', Source: shm, Destination: '/dev/shm', RW: true, Propagation: 'rprivate' });
    }
    const logDir = sbLabels[`${P}sandbox.logdir`];
    const hostNet = sb.HostConfig.NetworkMode === 'host';
    const pid = sb.State.Pid;
    const c = await this.containers.create({
      name: `${config.metadata.name}_${sbLabels[`${P}sandbox.name`]}_${sbLabels[`${P}sandbox.namespace`]}_${sbLabels[`${P}sandbox.uid`]}_${config.metadata.attempt}`,
      image: config.image,
      config: {
        Entrypoint: config.command?.length ? config.command : undefined,
        Cmd: config.args?.length ? config.args : undefined,
        WorkingDir: config.workingDir ?? '',
        Env: (config.envs ?? []).map((e) => `${e.key}=${e.value}`),
        User: user,
        Tty: config.tty ?? false,
        OpenStdin: config.stdin ?? false,
        StdinOnce: config.stdinOnce ?? false,
        StopSignal: config.stopSignal,
        Labels: {
          ...(config.labels ?? {}),
          [`${P}sandbox.id`]: sb.Id,
          [`${P}container.name`]: config.metadata.name,
          [`${P}container.attempt`]: String(config.metadata.attempt),
        },
      },
      hostConfig: {
        NetworkMode: hostNet ? 'host' : `container:${sb.Id}`,
        Privileged: sec.privileged ?? false,
        CapAdd: sec.capabilities?.addCapabilities ?? null,
        CapDrop: sec.capabilities?.dropCapabilities ?? null,
        ReadonlyRootfs: sec.readonlyRootfs ?? false,
        GroupAdd: sec.supplementalGroups?.length ? sec.supplementalGroups.map(String) : null,
        Memory: res.memoryLimitInBytes ?? 0,
        CpuShares: res.cpuShares ?? 0,
        CpuQuota: res.cpuQuota ?? 0,
        CpuPeriod: res.cpuPeriod ?? 0,
        PidsLimit: res.pidsLimit ?? null,
        OomScoreAdj: res.oomScoreAdj ?? 0,
        LogConfig: { Type: 'k8s-file', Config: {} },
      },
      mounts,
      extras: {
        namespaces: {
          network: hostNet ? undefined : sb.NetworkSettings.SandboxKey || `/proc/${pid}/ns/net`,
          // The host's namespaces are the engine's own (PID 1's may be out of reach in a sandbox).
          ipc: sbLabels[`${P}sandbox.hostipc`] ? `/proc/${process.pid}/ns/ipc` : `/proc/${pid}/ns/ipc`,
          pid: sbLabels[`${P}sandbox.hostpid`] ? `/proc/${process.pid}/ns/pid` : undefined,
          uts: hostNet ? undefined : `/proc/${pid}/ns/uts`,
        },
        logPath: logDir && config.logPath ? path.join(logDir, config.logPath) : undefined,
        cgroupParent: sb.Extras.cgroupParent,
        annotations: config.annotations ?? {},
        noNewPrivileges: sec.noNewPrivs,
        etcFilesFrom: sb.Id,
      },
    });
    return c.Id;
  }

  async startContainer(id: string): Promise<void> {
    await this.containers.start(id);
  }

  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    const c = this.containers.find(id);
    if (c?.State.Running) await this.containers.stop(c.Id, timeoutSec);
  }

  async removeContainer(id: string): Promise<void> {
    if (this.containers.find(id)) await this.containers.remove(id, { force: true });
  }

  containerStatus(id: string): ContainerStatusCRI {
    const c = this.containers.find(id);
    if (!c || c.Extras.sandbox) throw notFound(`container ${id} not found`);
    return this.status(c);
  }

  /** `images` memoises image lookups across one listing (most containers share few images). */
  private status(c: Container, images = new Map<string, Image | undefined>()): ContainerStatusCRI {
    const s = c.State;
    const state: ContainerStateCRI =
      s.Status === 'created' ? 'CONTAINER_CREATED' : s.Running ? 'CONTAINER_RUNNING' : s.Status === 'exited' ? 'CONTAINER_EXITED' : 'CONTAINER_UNKNOWN';
    let reason = '';
    if (state === 'CONTAINER_EXITED') reason = s.OOMKilled ? 'OOMKilled' : s.ExitCode === 0 ? 'Completed' : 'Error';
    if (state === 'CONTAINER_CREATED' && s.Error) reason = 'ContainerCannotRun';
    if (!images.has(c.Image)) images.set(c.Image, this.engine.images.get(c.Image));
    const image = images.get(c.Image);
    const l = c.Config.Labels;
    return {
      id: c.Id,
      podSandboxId: l[`${P}sandbox.id`] ?? '',
      metadata: { name: l[`${P}container.name`] ?? c.Name.slice(1), attempt: Number(l[`${P}container.attempt`] ?? 0) },
      state,
      createdAt: nanos(c.Created),
      startedAt: nanos(s.StartedAt),
      finishedAt: nanos(s.FinishedAt),
      exitCode: s.ExitCode,
      image: image?.tags[0] ? familiarName(image.tags[0]) : c.ImageName,
      imageRef: c.Image,
      reason,
      message: s.Error,
      labels: userLabels(l),
      annotations: c.Extras.annotations ?? {},
      mounts: c.Mounts.map((m) => ({ containerPath: m.Destination, hostPath: m.Source, readonly: !m.RW })),
      logPath: c.LogPath,
      pid: s.Pid,
    };
  }

  listContainers(filter: ContainerFilter = {}): ContainerStatusCRI[] {
    const images = new Map<string, Image | undefined>();
    return this.containers
      .list()
      .filter((c) => !c.Extras.sandbox && c.Config.Labels[`${P}sandbox.id`])
      .map((c) => this.status(c, images))
      .filter((s) => containerMatches(s, filter));
  }

  /** CRI UpdateContainerResources: new limits, applied live. */
  async updateContainerResources(id: string, res: LinuxResources): Promise<void> {
    await this.containers.updateResources(id, {
      ...(res.memoryLimitInBytes !== undefined ? { Memory: res.memoryLimitInBytes } : {}),
      ...(res.cpuShares !== undefined ? { CpuShares: res.cpuShares } : {}),
      ...(res.cpuQuota !== undefined && res.cpuQuota > 0 ? { NanoCpus: Math.round((res.cpuQuota / (res.cpuPeriod || 100000)) * 1e9) } : {}),
      ...(res.pidsLimit !== undefined ? { PidsLimit: res.pidsLimit } : {}),
    });
  }

  /** CRI ContainerStats: cumulative CPU and memory figures from the container's cgroup. */
  containerStats(id: string): ContainerStatsCRI {
    const c = this.containers.get(id);
    const s = readCgroupStats(this.containers.cgroupPath(c));
    return {
      id: c.Id,
      timestamp: BigInt(Date.now()) * 1000000n,
      cpuUsageCoreNanoSeconds: BigInt(Math.round(s.cpuNanos)),
      memoryWorkingSetBytes: s.memoryWorkingSet,
      memoryUsageBytes: s.memoryUsage,
      pids: s.pids,
    };
  }

  version(): { runtimeName: string; runtimeVersion: string; runtimeApiVersion: string } {
    return { runtimeName: 'skiff', runtimeVersion: skiffVersion(), runtimeApiVersion: 'v1' };
  }

  /** Asks conmon to reopen the log file (after the kubelet rotated it away). */
  reopenContainerLog(id: string): void {
    const c = this.containers.get(id);
    if (!c.State.Running) throw conflict(`container ${id} is not running`);
    const fd = fs.openSync(path.join(this.containers.dir(c.Id), 'ctl'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try {
      fs.writeSync(fd, '2 0 0\n');
    } finally {
      fs.closeSync(fd);
    }
  }

  // ---- exec / attach -----------------------------------------------------------------------------------

  execSync(id: string, cmd: string[], timeoutSec = 0): Promise<ExecSyncResult> {
    return execSync(this.containers, id, cmd, timeoutSec * 1000);
  }

  exec(id: string, cmd: string[], opts: { tty?: boolean; stdin?: boolean }, streams: AttachStreams): Promise<ExecSession> {
    return execStream(this.containers, id, { cmd, env: [], tty: opts.tty, stdin: opts.stdin }, streams);
  }

  /** Attaches to the container's own stdio; resize works when it has a tty. */
  async attach(id: string, streams: AttachStreams): Promise<{ session: AttachSession; resize(rows: number, cols: number): void }> {
    const c = this.containers.get(id);
    if (!c.State.Running) throw conflict(`container ${id} is not running`);
    const bundle = this.containers.dir(c.Id);
    return { session: await attachSocket(bundle, streams), resize: (rows, cols) => resizePty(bundle, rows, cols) };
  }

  // ---- images ------------------------------------------------------------------------------------------

  /**
   * CRI PullImage. With a registry client it always asks the registry, as imagePullPolicy Always needs;
   * without one only the local store and the built-in busybox answer.
   */
  async pullImage(ref: string, auth?: Parameters<ImagePuller>[1]): Promise<string> {
    if (!this.puller) {
      const local = this.engine.images.lookup(ref);
      if (local) return local.id;
      if (normalize(ref) === normalize(INFRA_IMAGE)) return (await this.engine.images.ensureBusybox()).id;
      throw notFound(`pulling ${ref}: no registry client is configured`);
    }
    await this.puller(ref, auth);
    const pulled = this.engine.images.lookup(ref);
    if (!pulled) throw notFound(`pulling ${ref}: the image is still missing after the pull`);
    return pulled.id;
  }

  imageStatus(ref: string): ImageStatusCRI | undefined {
    const image = this.engine.images.lookup(ref);
    return image ? imageStatus(image) : undefined;
  }

  listImages(): ImageStatusCRI[] {
    return this.engine.images.list().map(imageStatus);
  }

  removeImage(ref: string): void {
    if (!this.engine.images.lookup(ref)) return;
    this.engine.images.remove(ref, true, (id) => this.containers.usersOf(id));
  }
}

function imageStatus(image: Image): ImageStatusCRI {
  return {
    id: image.id,
    repoTags: image.tags.filter((t) => !t.includes('@')).map(familiarName),
    repoDigests: image.tags.filter((t) => t.includes('@')).map(familiarName),
    size: image.size,
    user: image.config.config?.User ?? '',
  };
}
