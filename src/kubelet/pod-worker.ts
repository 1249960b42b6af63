// One pod on this node, synced level-triggered: given the pod from the API and what the runtime shows,
// make the difference (sandbox, volumes, init containers in order, containers with restarts and
// CrashLoopBackOff backoff, liveness restarts, graceful termination) and report the status. Every
// call of sync() starts from observation, so a restarted agent re-adopts what is already running.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backoffDelay } from '../client/index.js';
import { RegistryUnreachableError } from '../registry/index.js';
import type { ContainerStatusCRI, CriMount, PodSandboxConfig, PortMapping } from '../engine/index.js';
import { criContainerConfig, pullPolicy } from './container-spec.js';
import { ContainerConfigError, containerEnv } from './env.js';
import type { NodeContext } from './node-context.js';
import { ContainerProber, runHandler, type ProbeTarget } from './probes.js';
import { pullCredentials } from './pull-secrets.js';
import { podStatus, type ContainerRecord, type ContainerView } from './status.js';
import type { Container, Pod, PodStatus } from '../client/index.js';
import { setUpVolume, tearDownVolumes, VolumeError } from './volumes.js';
import { dialPod } from './pod-dial.js';
import { ensureHostsFile, podHostname } from './etc-hosts.js';

export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

const BACKOFF = { baseMs: 10_000, maxMs: 300_000 };
/** A container that ran this long resets its backoff (kubelet's backOffPeriod * 2 rule: 10 min). */
const BACKOFF_RESET_MS = 600_000;
/** How many exited attempts of one container are kept (the latest for --previous). */
const KEEP_EXITED = 1;

function iso(nanos: bigint): string {
  if (nanos <= 0n) return '';
  return new Date(Number(nanos / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function record(s: ContainerStatusCRI, terminationMessage: string): ContainerRecord {
  const state = s.state === 'CONTAINER_RUNNING' ? 'running' : s.state === 'CONTAINER_EXITED' ? 'exited' : s.state === 'CONTAINER_CREATED' ? 'created' : 'unknown';
  return {
    id: s.id,
    attempt: s.metadata.attempt,
    state,
    exitCode: s.exitCode,
    reason: s.reason,
    message: terminationMessage,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    imageRef: s.imageRef,
  };
}

interface Backoff {
  failures: number;
  /** Restart not before this time (ms). */
  until: number;
}

export class PodWorker {
  pod: Pod;
  /** Set when the API object is gone: the worker tears everything down and ends. */
  deleted = false;
  private readonly waiting = new Map<string, { reason: string; message?: string }>();
  private readonly backoff = new Map<string, Backoff>();
  private readonly probers = new Map<string, ContainerProber>();
  private readonly unhealthy = new Map<string, string>();
  private failure?: { reason: string; message: string };
  private lastStatus = '';
  private readonly volumePaths = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private finished = false;
  private halted = false;

  constructor(
    pod: Pod,
    private readonly node: NodeContext,
    private readonly onFinished: (uid: string) => void,
  ) {
    this.pod = pod;
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  get podDir(): string {
    return path.join(this.node.podsDir, this.uid);
  }

  get logDir(): string {
    return path.join(this.node.logsDir, `${this.pod.metadata.namespace}_${this.pod.metadata.name}_${this.uid}`);
  }

  /** Asks for a sync soon; syncs never overlap, a request during one runs another after it. */
  kick(delayMs = 0): void {
    if (this.finished || this.halted) return;
    if (delayMs > 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, delayMs);
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.sync();
        } catch (err) {
          this.node.log(`pod ${this.key()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          this.kick(2000);
        }
      } while (this.again && !this.finished && !this.halted);
      this.running = undefined;
    })();
  }

  /** The API lost the status we wrote (a new mirror pod): write it again. */
  statusLost(): void {
    this.lastStatus = '';
    this.kick();
  }

  /** Stops for good (agent shutdown): no more syncs; the containers are left running. */
  async halt(): Promise<void> {
    this.halted = true;
    this.stopProbes();
    while (this.running) await this.running;
  }

  stopProbes(): void {
    for (const p of this.probers.values()) p.stop();
    this.probers.clear();
    if (this.timer) clearTimeout(this.timer);
  }

  private key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    const fieldPath = container ? `${(this.pod.spec.initContainers ?? []).some((c) => c.name === container) ? 'spec.initContainers' : 'spec.containers'}{${container}}` : undefined;
    this.node.recorder.event({ ...this.pod, kind: 'Pod', apiVersion: 'v1' }, type, reason, message, fieldPath);
  }

  // ---- observation --------------------------------------------------------------------------------

  private sandboxes() {
    return this.node.runtime.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid } }).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
  }

  private containers(): Map<string, ContainerStatusCRI[]> {
    const byName = new Map<string, ContainerStatusCRI[]>();
    for (const s of this.node.runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } })) {
      const name = s.labels[LABEL_CONTAINER_NAME] ?? s.metadata.name;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name)!.push(s);
    }
    for (const list of byName.values()) list.sort((a, b) => b.metadata.attempt - a.metadata.attempt || Number(b.createdAt - a.createdAt));
    return byName;
  }

  private terminationMessage(c: Container | undefined, s: ContainerStatusCRI): string {
    if (s.state !== 'CONTAINER_EXITED') return '';
    const file = path.join(this.podDir, 'containers', s.metadata.name, String(s.metadata.attempt));
    let msg = '';
    try {
      msg = fs.readFileSync(file, 'utf8').slice(0, 4096);
    } catch {
      msg = '';
    }
    if (!msg && c?.terminationMessagePolicy === 'FallbackToLogsOnError' && s.exitCode !== 0 && s.logPath) {
      try {
        const lines = fs.readFileSync(s.logPath, 'utf8').trimEnd().split('\n').slice(-80);
        msg = lines.map((l) => l.split(' ').slice(3).join(' ')).join('\n').slice(-2048);
      } catch {
        msg = '';
      }
    }
    return msg;
  }

  private view(c: Container, list: ContainerStatusCRI[] | undefined): ContainerView {
    const latest = list?.[0];
    const prober = latest ? this.probers.get(latest.id) : undefined;
    return {
      latest: latest ? record(latest, this.terminationMessage(c, latest)) : undefined,
      previous: list?.[1] ? record(list[1], this.terminationMessage(c, list[1])) : undefined,
      waiting: this.waiting.get(c.name),
      ready: prober ? prober.ready : true,
      started: prober ? prober.started : true,
    };
  }

  // ---- sync -----------------------------------------------------------------------------------------

  private async sync(): Promise<void> {
    const pod = this.pod;
    if (this.deleted || pod.metadata.deletionTimestamp) return this.terminate();
    const phase = pod.status?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    let sandboxes = this.sandboxes();
    let sandbox = sandboxes[0];
    if (terminal) {
      // A finished pod keeps its exited containers (for logs) but nothing runs any more.
      for (const s of this.node.runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } })) {
        if (s.state === 'CONTAINER_RUNNING') await this.stopContainer(s, 0);
      }
      if (sandbox?.state === 'SANDBOX_READY') await this.node.runtime.stopPodSandbox(sandbox.id);
      this.stopProbes();
      await this.report(sandbox?.network.ip ?? '');
      return;
    }
    const deadline = pod.spec.activeDeadlineSeconds;
    if (deadline !== undefined && pod.status?.startTime && Date.parse(pod.status.startTime) + deadline * 1000 <= Date.now()) {
      this.failure = { reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline` };
      for (const s of this.node.runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } })) if (s.state === 'CONTAINER_RUNNING') await this.stopContainer(s, pod.spec.terminationGracePeriodSeconds ?? 30);
      await this.report(sandbox?.network.ip ?? '');
      return;
    }
    if (deadline !== undefined && pod.status?.startTime) this.kick(Date.parse(pod.status.startTime) + deadline * 1000 - Date.now() + 50);

    // Volumes first: a pod whose volumes cannot be set up stays ContainerCreating with an event.
    const volumePaths = this.volumePaths;
    for (const v of pod.spec.volumes ?? []) {
      try {
        volumePaths.set(v.name, await setUpVolume(pod, this.podDir, v, this.node.volumeSources(pod)));
      } catch (err) {
        if (!(err instanceof VolumeError)) throw err;
        this.event('Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : ${err.message}`);
        await this.report('');
        this.kick(5000);
        return;
      }
    }

    if (!sandbox || sandbox.state !== 'SANDBOX_READY') {
      const attempt = sandbox ? sandbox.metadata.attempt + 1 : 0;
      if (sandbox) {
        this.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
        for (const s of this.node.runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } })) if (s.state === 'CONTAINER_RUNNING') await this.stopContainer(s, 0);
        await this.node.runtime.stopPodSandbox(sandbox.id);
      }
      fs.mkdirSync(this.logDir, { recursive: true });
      const id = await this.node.runtime.runPodSandbox(this.sandboxConfig(attempt));
      sandboxes = this.sandboxes();
      sandbox = sandboxes.find((s) => s.id === id) ?? sandbox;
    }
    for (const old of sandboxes.slice(1)) await this.node.runtime.removePodSandbox(old.id);
    const podIP = pod.spec.hostNetwork ? this.node.nodeIP : sandbox.network.ip;

    const byName = this.containers();
    await this.pruneExited(byName);
    const policy = pod.spec.restartPolicy ?? 'Always';

    // Init containers run one at a time, in order, each to success.
    let initDone = true;
    for (const c of pod.spec.initContainers ?? []) {
      const latest = byName.get(c.name)?.[0];
      if (latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0) continue;
      initDone = false;
      if (latest?.state === 'CONTAINER_RUNNING') break;
      if (latest?.state === 'CONTAINER_EXITED' && policy === 'Never') break;
      await this.startOrBackoff(c, latest, sandbox.id, podIP);
      break;
    }
    if (initDone) {
      for (const c of pod.spec.containers) {
        const latest = byName.get(c.name)?.[0];
        if (latest?.state === 'CONTAINER_RUNNING') {
          const why = this.unhealthy.get(latest.id);
          if (why !== undefined) {
            this.unhealthy.delete(latest.id);
            this.event('Normal', 'Killing', `Container ${c.name} ${why}, will be restarted`, c.name);
            await this.stopContainer(latest, pod.spec.terminationGracePeriodSeconds ?? 30, c);
            this.kick();
          } else {
            this.ensureProber(c, latest, sandbox.netnsPath, podIP);
          }
          continue;
        }
        if (latest?.state === 'CONTAINER_EXITED') {
          const restart = policy === 'Always' || (policy === 'OnFailure' && latest.exitCode !== 0);
          this.probers.get(latest.id)?.stop();
          this.probers.delete(latest.id);
          if (!restart) {
            this.waiting.delete(c.name);
            continue;
          }
        }
        await this.startOrBackoff(c, latest, sandbox.id, podIP);
      }
    }
    await this.report(podIP);
  }

  private async pruneExited(byName: Map<string, ContainerStatusCRI[]>): Promise<void> {
    for (const list of byName.values()) {
      const exited = list.filter((s, i) => i > 0 && s.state !== 'CONTAINER_RUNNING');
      for (const s of exited.slice(KEEP_EXITED)) {
        await this.node.runtime.removeContainer(s.id);
        list.splice(list.indexOf(s), 1);
      }
    }
  }

  /** Starts the next attempt of c now, or records why it waits (backoff, image, config). */
  private async startOrBackoff(c: Container, latest: ContainerStatusCRI | undefined, sandboxId: string, podIP: string): Promise<void> {
    const key = c.name;
    const now = Date.now();
    if (latest && latest.state !== 'CONTAINER_EXITED' && latest.state !== 'CONTAINER_CREATED') return;
    if (latest?.state === 'CONTAINER_EXITED') {
      const b = this.backoff.get(key);
      const ranMs = Number((latest.finishedAt - latest.startedAt) / 1_000_000n);
      if (b && ranMs >= BACKOFF_RESET_MS) this.backoff.delete(key);
      const current = this.backoff.get(key);
      if (current && now < current.until) {
        const delay = Math.round(backoffDelay(current.failures - 1, BACKOFF) / 1000);
        const message = `back-off ${formatDelay(delay)} restarting failed container=${c.name} pod=${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`;
        if (this.waiting.get(key)?.reason !== 'CrashLoopBackOff') this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`, c.name);
        this.waiting.set(key, { reason: 'CrashLoopBackOff', message });
        this.kick(current.until - now + 10);
        return;
      }
      const failures = (current?.failures ?? 0) + 1;
      const finished = Number(latest.finishedAt / 1_000_000n) || now;
      this.backoff.set(key, { failures, until: finished + backoffDelay(failures - 1, BACKOFF) });
    }
    const attempt = latest ? latest.metadata.attempt + (latest.state === 'CONTAINER_EXITED' ? 1 : 0) : 0;
    if (latest?.state === 'CONTAINER_CREATED') await this.node.runtime.removeContainer(latest.id);
    await this.startContainer(c, attempt, sandboxId, podIP);
  }

  private async ensureImage(c: Container): Promise<{ ok: true; user: string } | { ok: false }> {
    const image = c.image ?? '';
    const present = this.node.runtime.imageStatus(image);
    const policy = pullPolicy(c);
    if (present && policy !== 'Always') {
      this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`, c.name);
      return { ok: true, user: present.user };
    }
    if (!present && policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.waiting.set(c.name, { reason: 'ErrImageNeverPull', message });
      this.event('Warning', 'ErrImageNeverPull', message, c.name);
      return { ok: false };
    }
    const b = this.backoff.get(`image:${c.name}`);
    if (b && Date.now() < b.until) {
      this.waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
      this.kick(b.until - Date.now() + 10);
      return { ok: false };
    }
    this.event('Normal', 'Pulling', `Pulling image "${image}"`, c.name);
    const started = Date.now();
    try {
      await this.pull(image, c.name);
    } catch (err) {
      const message = `Failed to pull image "${image}": ${err instanceof Error ? err.message : String(err)}`;
      // An offline machine (this is a laptop tool) keeps running what it has: when the registry could not
      // be asked at all, the copy on the node stands in, with the failure on record as a Warning.
      if (present && err instanceof RegistryUnreachableError) {
        this.event('Warning', 'Failed', `${message}; using the image already present on the node`, c.name);
        return { ok: true, user: present.user };
      }
      const failures = (b?.failures ?? 0) + 1;
      this.backoff.set(`image:${c.name}`, { failures, until: Date.now() + backoffDelay(failures - 1, BACKOFF) });
      this.waiting.set(c.name, { reason: 'ErrImagePull', message });
      this.event('Warning', 'Failed', message, c.name);
      this.kick(backoffDelay(failures - 1, BACKOFF));
      return { ok: false };
    }
    this.backoff.delete(`image:${c.name}`);
    this.event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${Date.now() - started}ms`, c.name);
    return { ok: true, user: this.node.runtime.imageStatus(image)?.user ?? '' };
  }

  /** Pulls with each credential the pod's pull secrets hold for the image's registry until one works (anonymously when none). */
  private async pull(image: string, container: string): Promise<void> {
    const { secrets, missing } = await this.node.imagePullSecrets(this.pod);
    if (missing.length) {
      this.event('Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`, container);
    }
    const candidates = pullCredentials(image, secrets);
    if (!candidates.length) {
      await this.node.runtime.pullImage(image);
      return;
    }
    let last: unknown;
    for (const creds of candidates) {
      try {
        await this.node.runtime.pullImage(image, creds);
        return;
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  private async startContainer(c: Container, attempt: number, sandboxId: string, podIP: string): Promise<void> {
    const image = await this.ensureImage(c);
    if (!image.ok) return;
    const pod = this.pod;
    const withIP: Pod = { ...pod, status: { ...pod.status, podIP, podIPs: podIP ? [{ ip: podIP }] : [], hostIP: this.node.nodeIP, hostIPs: [{ ip: this.node.nodeIP }] } };
    let id: string;
    try {
      // HOSTNAME as container runtimes set it in pods: the pod's hostname (the node's with hostNetwork).
      const hostname = pod.spec.hostNetwork ? os.hostname() : podHostname(pod);
      const env: Array<[string, string]> = [['HOSTNAME', hostname], ...(await containerEnv(withIP, c, this.node.envSources(pod))).filter(([k]) => k !== 'HOSTNAME')];
      const mounts = this.mounts(c, env, attempt, podIP);
      const config = criContainerConfig(withIP, c, {
        env,
        mounts,
        attempt,
        imageUser: image.user,
        memoryCapacity: this.node.memoryCapacity,
        labels: { [LABEL_POD_UID]: this.uid, [LABEL_POD_NAME]: pod.metadata.name ?? '', [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default', [LABEL_CONTAINER_NAME]: c.name },
      });
      fs.mkdirSync(path.join(this.logDir, c.name), { recursive: true });
      id = await this.node.runtime.createContainer(sandboxId, config);
    } catch (err) {
      if (!(err instanceof ContainerConfigError || err instanceof VolumeError)) throw err;
      this.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
      this.event('Warning', 'Failed', `Error: ${err.message}`, c.name);
      this.kick(5000);
      return;
    }
    this.event('Normal', 'Created', `Created container ${c.name}`, c.name);
    try {
      await this.node.runtime.startContainer(id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.waiting.set(c.name, { reason: 'RunContainerError', message });
      this.event('Warning', 'Failed', `Error: ${message}`, c.name);
      await this.node.runtime.removeContainer(id);
      this.kick(5000);
      return;
    }
    this.waiting.delete(c.name);
    this.event('Normal', 'Started', `Started container ${c.name}`, c.name);
    if (c.lifecycle?.postStart) {
      const r = await runHandler(c, c.lifecycle.postStart, this.probeTarget(id, { ip: podIP === this.node.nodeIP && !this.pod.spec.hostNetwork ? '' : podIP, netnsPath: this.sandboxes()[0]?.netnsPath ?? '' }), 30);
      if (!r.ok) {
        this.event('Warning', 'FailedPostStartHook', `PostStartHook failed: ${r.message}`, c.name);
        await this.node.runtime.stopContainer(id, 0);
      }
    }
  }

  private mounts(c: Container, env: Array<[string, string]>, attempt: number, podIP: string): CriMount[] {
    const list: CriMount[] = [];
    const vars = new Map(env);
    for (const m of c.volumeMounts ?? []) {
      const v = this.pod.spec.volumes?.find((x) => x.name === m.name);
      if (!v) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
      const base = this.volumePaths.get(v.name);
      if (!base) throw new ContainerConfigError(`volume "${m.name}" is not set up`);
      let host = base;
      const sub = m.subPathExpr ? m.subPathExpr.replace(/\$\(([^)]+)\)/g, (_, n: string) => vars.get(n) ?? '') : m.subPath;
      if (sub) {
        if (path.isAbsolute(sub) || sub.split('/').includes('..')) throw new ContainerConfigError(`subPath "${sub}" must be a relative path without ..`);
        host = path.join(base, sub);
        if (!fs.existsSync(host)) fs.mkdirSync(host, { recursive: true, mode: 0o777 });
      }
      const readonly = m.readOnly || Boolean(v.configMap || v.secret || v.downwardAPI || v.projected) || v.persistentVolumeClaim?.readOnly;
      list.push({ containerPath: m.mountPath, hostPath: host, readonly, propagation: m.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL' : m.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : undefined });
    }
    if (podIP && !list.some((m) => m.containerPath === '/etc/hosts')) {
      list.push({ containerPath: '/etc/hosts', hostPath: ensureHostsFile(this.podDir, this.pod, [podIP], this.node.clusterDomain) });
    }
    const tmPath = c.terminationMessagePath ?? '/dev/termination-log';
    if (tmPath && !list.some((m) => m.containerPath === tmPath)) {
      const dir = path.join(this.podDir, 'containers', c.name);
      fs.mkdirSync(dir, { recursive: true });
      // One file per attempt, so the message of an exited attempt survives the next one.
      const file = path.join(dir, String(attempt));
      fs.writeFileSync(file, '', { mode: 0o666 });
      fs.chmodSync(file, 0o666);
      list.push({ containerPath: tmPath, hostPath: file });
    }
    return list;
  }

  private probeTarget(containerId: string, addr: { ip: string; netnsPath: string }): ProbeTarget {
    return {
      host: addr.ip,
      exec: async (cmd, timeoutSec) => {
        const r = await this.node.runtime.execSync(containerId, cmd, timeoutSec);
        return { exitCode: r.exitCode, timedOut: r.timedOut, output: Buffer.concat([r.stdout, r.stderr]).toString().trim() };
      },
      dial: (port, timeoutMs) => dialPod(addr, port, timeoutMs),
    };
  }

  private ensureProber(c: Container, s: ContainerStatusCRI, netnsPath: string, podIP: string): void {
    if (this.probers.has(s.id)) return;
    const reachable = this.pod.spec.hostNetwork ? '127.0.0.1' : this.node.podIPReachable ? podIP : '';
    const prober = new ContainerProber(
      c,
      this.probeTarget(s.id, { ip: reachable, netnsPath }),
      {
        changed: () => this.kick(),
        unhealthy: (kind, message) => {
          this.unhealthy.set(s.id, `failed ${kind.toLowerCase()} probe`);
          this.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`, c.name);
          this.kick();
        },
        failed: (kind, message) => {
          if (kind === 'Readiness') this.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`, c.name);
        },
      },
      Number(s.startedAt / 1_000_000n) || Date.now(),
    );
    this.probers.set(s.id, prober);
  }

  /** preStop, then the stop signal, then SIGKILL after what is left of the grace period. */
  private async stopContainer(s: ContainerStatusCRI, graceSec: number, spec?: Container): Promise<void> {
    this.probers.get(s.id)?.stop();
    this.probers.delete(s.id);
    const c = spec ?? [...this.pod.spec.containers, ...(this.pod.spec.initContainers ?? [])].find((x) => x.name === s.metadata.name);
    const started = Date.now();
    if (c?.lifecycle?.preStop && graceSec > 0) {
      const sb = this.sandboxes()[0];
      const r = await runHandler(c, c.lifecycle.preStop, this.probeTarget(s.id, { ip: this.pod.spec.hostNetwork ? '127.0.0.1' : '', netnsPath: sb?.netnsPath ?? '' }), graceSec);
      if (!r.ok) this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.message}`, c.name);
    }
    const left = Math.max(graceSec > 0 ? 2 : 0, graceSec - Math.floor((Date.now() - started) / 1000));
    await this.node.runtime.stopContainer(s.id, left);
  }

  /** Graceful deletion: stop everything within the grace period, then remove the API object. */
  private async terminate(): Promise<void> {
    const pod = this.pod;
    const grace = this.deleted ? 0 : (pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
    const running = this.node.runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } }).filter((s) => s.state === 'CONTAINER_RUNNING');
    if (running.length) {
      await Promise.all(running.map((s) => {
        this.event('Normal', 'Killing', `Stopping container ${s.metadata.name}`, s.metadata.name);
        return this.stopContainer(s, grace);
      }));
    }
    this.stopProbes();
    if (!this.deleted) {
      await this.report(pod.status?.podIP ?? '');
      await this.node.deletePod(pod);
      return;
    }
    for (const sb of this.sandboxes()) {
      await this.node.runtime.stopPodSandbox(sb.id);
      await this.node.runtime.removePodSandbox(sb.id);
    }
    tearDownVolumes(this.podDir);
    fs.rmSync(this.logDir, { recursive: true, force: true });
    this.finished = true;
    this.onFinished(this.uid);
  }

  // ---- status ---------------------------------------------------------------------------------------

  private async report(podIP: string): Promise<void> {
    const pod = this.pod;
    const byName = this.containers();
    const init = new Map((pod.spec.initContainers ?? []).map((c) => [c.name, this.view(c, byName.get(c.name))]));
    const main = new Map(pod.spec.containers.map((c) => [c.name, this.view(c, byName.get(c.name))]));
    const sandbox = this.sandboxes()[0];
    const sandboxReady = sandbox?.state === 'SANDBOX_READY' && (!!pod.spec.hostNetwork || !!sandbox.network.ip);
    const status: PodStatus = podStatus(pod, { init, main, podIP, hostIP: this.node.nodeIP, sandboxReady, now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), failure: this.failure });
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    const updated = await this.node.patchStatus(pod, status);
    if (updated) {
      this.lastStatus = text;
      this.pod = updated;
    }
  }

  sandboxConfig(attempt: number): PodSandboxConfig {
    const pod = this.pod;
    const spec = pod.spec;
    return {
      metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid: this.uid, attempt },
      hostname: spec.hostNetwork ? undefined : podHostname(pod),
      hostPID: spec.hostPID ?? false,
      hostIPC: spec.hostIPC ?? false,
      logDirectory: this.logDir,
      dnsConfig: this.node.dnsConfig(pod),
      portMappings: spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort!, hostIp: p.hostIP ?? '' }))),
      labels: { [LABEL_POD_UID]: this.uid, [LABEL_POD_NAME]: pod.metadata.name ?? '', [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default' },
      hostNetwork: spec.hostNetwork ?? false,
      network: spec.hostNetwork ? undefined : this.node.podNetwork,
    };
  }
}

/** Go's time.Duration printing for whole seconds (10s, 1m20s, 5m0s). */
function formatDelay(sec: number): string {
  if (sec < 60) return `${sec}s`;
  return `${Math.floor(sec / 60)}m${sec % 60}s`;
}
