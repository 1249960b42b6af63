// Container lifecycle on runc + one conmon per container, daemonless: every state change is written to
// the metadata DB by whichever process makes it, and exits that happen while no skiff runs are read back
// from conmon's exit file (and applied by conmon's exit command, which runs `skiff container cleanup`).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { conflict, EngineError, invalid, notFound } from '../errors.js';
import type { ImageStore } from '../images/store.js';
import type { Image } from '../images/types.js';
import type { MetadataDB } from '../metadata/db.js';
import type { MountSpec } from '../mounts.js';
import type { NetworkAttachRequest, NetworkProvider } from '../network-provider.js';
import type { EnginePaths } from '../paths.js';
import { removeTree } from '../remove-tree.js';
import { isMounted, unmount, unmountInBackground, type Snapshots } from '../snapshots/overlay.js';
import { removeCgroupLeaf } from './cgroups.js';
import { spawnConmon } from './conmon.js';
import { hostDevices } from './devices.js';
import { hostsFile, resolvConf, resolveUser } from './etc-files.js';
import { randomName, validateName } from './names.js';
import { processAlive, Runc, RUNC } from './runc.js';
import { buildSpec, capabilities, parseCapBnd, parseHardLimits, type HostLimits } from './spec.js';
import { traceMark } from '../trace.js';
import type { Container, ContainerConfig, EngineExtras, HostConfig } from './types.js';

export interface CreateOptions {
  name?: string;
  /** Image reference as the user gave it. */
  image: string;
  config?: Partial<ContainerConfig>;
  hostConfig?: Partial<HostConfig>;
  mounts?: MountSpec[];
  extras?: EngineExtras;
}

export interface ExecOptions {
  cmd: string[];
  env: string[];
  user?: string;
  workdir?: string;
  tty?: boolean;
  detach?: boolean;
  privileged?: boolean;
}

export interface StartOptions {
  /** A client stays attached until exit and runs cleanup itself. */
  foreground?: boolean;
}

export interface ContainerEngineOptions {
  paths: EnginePaths;
  db: MetadataDB;
  images: ImageStore;
  snapshots: Snapshots;
  networkProvider?: NetworkProvider;
  /** argv that applies exit handling for a container (`skiff --root R container cleanup ID`). */
  cleanupCommand?: (id: string) => string[];
}

/** Host path of the init docker runs with --init (tini, statically linked so any image can run it). */
export const INIT_BINARY = '/usr/bin/tini-static';
const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13,
  ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24,
  XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

/** Normalises a signal given as KILL, SIGKILL or 9 to runc's name form (KILL). */
export function signalName(sig: string): string {
  const s = sig.toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(s)) {
    const found = Object.entries(SIGNALS).find(([, n]) => n === Number(s));
    if (!found) throw invalid(`Invalid signal: ${sig}`);
    return found[0];
  }
  if (!(s in SIGNALS)) throw invalid(`Invalid signal: ${sig}`);
  return s;
}

export function signalNumber(sig: string): number {
  return SIGNALS[signalName(sig)];
}

function nowIso(): string {
  return new Date().toISOString();
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** State.Error of a container whose conmon vanished without an exit file (host restart, conmon killed). */
const CONMON_LOST = 'container monitor (conmon) exited unexpectedly';

function defaultHostConfig(): HostConfig {
  return {
    NetworkMode: 'none', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, Privileged: false,
    ReadonlyRootfs: false, CapAdd: null, CapDrop: null, Init: null, Memory: 0, MemorySwap: 0, NanoCpus: 0, CpuShares: 0,
    CpuQuota: 0, CpuPeriod: 0, PidsLimit: null, ShmSize: 67108864, OomScoreAdj: 0, LogConfig: { Type: 'json-file', Config: {} },
    SecurityOpt: null, Sysctls: {}, Ulimits: null, ExtraHosts: null, Dns: null, PortBindings: {}, Binds: null,
  };
}

export class ContainerEngine {
  readonly runc: Runc;
  private hostLimits?: HostLimits;

  constructor(private readonly o: ContainerEngineOptions) {
    this.runc = new Runc(o.paths.runcRoot);
  }

  dir(id: string): string {
    return path.join(this.o.paths.containers, id);
  }

  private exitFile(id: string): string {
    return path.join(this.dir(id), 'exits', id);
  }

  // ---- lookup ---------------------------------------------------------------------------------

  /** Finds a container by full ID, name (with or without /) or unique ID prefix, like docker. */
  find(ref: string): Container | undefined {
    const db = this.o.db;
    let data = db.getContainerData(ref);
    if (!data) {
      const byName = db.containerIdByName(ref.startsWith('/') ? ref : `/${ref}`);
      if (byName) data = db.getContainerData(byName);
    }
    if (!data && /^[0-9a-f]+$/.test(ref)) {
      const ids = db.containersByPrefix(ref);
      if (ids.length > 1) throw conflict(`Error response from daemon: multiple IDs found with provided prefix: ${ref}`);
      if (ids.length === 1) data = db.getContainerData(ids[0]);
    }
    return data ? this.refresh(JSON.parse(data) as Container) : undefined;
  }

  get(ref: string): Container {
    const c = this.find(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  list(): Container[] {
    return this.o.db
      .listContainerData()
      .map((d) => this.refresh(JSON.parse(d) as Container))
      .sort((a, b) => (a.Created < b.Created ? 1 : a.Created > b.Created ? -1 : 0));
  }

  /** Containers using an image (for rmi). */
  usersOf(imageId: string): Array<{ id: string; running: boolean }> {
    return this.list()
      .filter((c) => c.Image === imageId)
      .map((c) => ({ id: c.Id, running: c.State.Running }));
  }

  private save(c: Container): void {
    this.o.db.updateContainer(c.Id, c.Name, JSON.stringify(c));
  }

  /** Read-modify-write of one container under the DB write lock; returns the stored result. */
  update(id: string, fn: (c: Container) => void): Container {
    return this.o.db.tx(() => {
      const data = this.o.db.getContainerData(id);
      if (!data) throw notFound(`No such container: ${id}`);
      const c = JSON.parse(data) as Container;
      fn(c);
      this.save(c);
      return c;
    });
  }

  event(action: string, c: Pick<Container, 'Id' | 'Name' | 'ImageName'>, extra: Record<string, string> = {}): void {
    this.o.db.addEvent({ timeNano: BigInt(Date.now()) * 1000000n, type: 'container', action, actorId: c.Id, attributes: { image: c.ImageName, name: c.Name.slice(1), ...extra } });
  }

  /** The exit code conmon recorded, if the container has exited since it was last started. */
  readExit(id: string): { code: number; finishedAt: string; oom: boolean } | undefined {
    try {
      const file = this.exitFile(id);
      const text = fs.readFileSync(file, 'utf8').trim();
      // An empty file is one conmon is still writing.
      if (!text) return undefined;
      const code = Number(text);
      const finishedAt = fs.statSync(file).mtime.toISOString();
      const oom = fs.existsSync(path.join(this.dir(id), 'persist', 'oom'));
      return { code: Number.isFinite(code) ? code : 255, finishedAt, oom };
    } catch {
      return undefined;
    }
  }

  /** Brings a stored record up to date with conmon's exit file (the container may have exited meanwhile). */
  private refresh(c: Container): Container {
    if (c.State.Status !== 'running' && c.State.Status !== 'paused') return c;
    // conmon writes the exit file and then exits: when it is gone, look at the file again, or an exit
    // landing between the first look and the liveness check would read as a lost conmon.
    const conmonGone = (): boolean => c.ConmonPid > 0 && !processAlive(c.ConmonPid);
    const exit = this.readExit(c.Id) ?? (conmonGone() ? this.readExit(c.Id) : undefined);
    if (exit) {
      let changed = false;
      const cur = this.update(c.Id, (x) => {
        if (x.State.StartedAt !== c.State.StartedAt || (x.State.Status !== 'running' && x.State.Status !== 'paused')) return;
        markExited(x, exit.code, exit.finishedAt, exit.oom);
        changed = true;
      });
      // Whoever records the exit reports it, exactly once.
      if (changed) this.event('die', cur, { exitCode: String(exit.code) });
      return cur;
    }
    if (conmonGone()) {
      // conmon died without an exit file (killed, host reboot): the container is gone with it.
      return this.update(c.Id, (cur) => {
        if (cur.State.StartedAt === c.State.StartedAt && cur.State.Running) markExited(cur, 255, nowIso(), false, CONMON_LOST);
      });
    }
    return c;
  }

  // ---- create -------------------------------------------------------------------------------------

  async create(opts: CreateOptions): Promise<Container> {
    const image = await this.o.images.resolve(opts.image);
    const id = crypto.randomBytes(32).toString('hex');
    const img = image.config.config ?? {};
    const cfg = opts.config ?? {};
    const entrypoint = cfg.Entrypoint !== undefined ? cfg.Entrypoint : img.Entrypoint ?? null;
    // Docker drops the image's Cmd when --entrypoint is given without a command.
    const cmd = cfg.Cmd && cfg.Cmd.length ? cfg.Cmd : cfg.Entrypoint !== undefined ? null : img.Cmd ?? null;
    const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
    if (!argv.length) throw invalid('No command specified');
    const hostConfig: HostConfig = { ...defaultHostConfig(), ...opts.hostConfig };
    if (!opts.hostConfig?.NetworkMode) hostConfig.NetworkMode = this.o.networkProvider?.handles('bridge') ? 'bridge' : 'none';
    this.checkNetwork(hostConfig.NetworkMode);
    const config: ContainerConfig = {
      Hostname: cfg.Hostname || (hostConfig.NetworkMode === 'host' ? hostHostname() : id.slice(0, 12)),
      Domainname: cfg.Domainname ?? '',
      User: cfg.User ?? img.User ?? '',
      AttachStdin: cfg.AttachStdin ?? false,
      AttachStdout: cfg.AttachStdout ?? true,
      AttachStderr: cfg.AttachStderr ?? true,
      Tty: cfg.Tty ?? false,
      OpenStdin: cfg.OpenStdin ?? false,
      StdinOnce: cfg.StdinOnce ?? false,
      Env: mergeEnv(img.Env ?? [], cfg.Env ?? []),
      Cmd: cmd,
      Image: opts.image,
      WorkingDir: cfg.WorkingDir || img.WorkingDir || '',
      Entrypoint: entrypoint,
      Labels: { ...(img.Labels ?? {}), ...(cfg.Labels ?? {}) },
      StopSignal: cfg.StopSignal || img.StopSignal || undefined,
      StopTimeout: cfg.StopTimeout,
    };
    if (config.StopSignal) signalName(config.StopSignal);
    const dir = this.dir(id);
    const logPath = opts.extras?.logPath ?? path.join(dir, 'ctr.log');
    const container: Container = {
      Id: id,
      Created: nowIso(),
      Path: argv[0],
      Args: argv.slice(1),
      State: { Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME },
      Image: image.id,
      ImageName: opts.image,
      Name: '',
      RestartCount: 0,
      Config: config,
      HostConfig: hostConfig,
      Mounts: opts.mounts ?? [],
      LogPath: hostConfig.LogConfig.Type === 'none' ? '' : logPath,
      ManuallyStopped: false,
      ConmonPid: 0,
      NetworkSettings: { Networks: {}, Ports: {}, SandboxKey: '' },
      Extras: opts.extras ?? {},
    };
    for (const sub of ['upper', 'work', 'rootfs', 'exits', 'persist']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    for (const m of container.Mounts) if (m.Type === 'bind' && m.CreateHostPath && !fs.existsSync(m.Source)) fs.mkdirSync(m.Source, { recursive: true });
    try {
      this.insertWithName(container, opts.name);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.event('create', container);
    return container;
  }

  private insertWithName(c: Container, wanted: string | undefined): void {
    const db = this.o.db;
    for (let attempt = 0; ; attempt++) {
      c.Name = wanted ? validateName(wanted) : `/${randomName(attempt)}`;
      const inserted = db.tx(() => {
        const owner = db.containerIdByName(c.Name);
        if (owner) {
          if (wanted) {
            throw conflict(`Conflict. The container name "${c.Name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
          }
          return false;
        }
        db.insertContainer(c.Id, c.Name, JSON.stringify(c));
        return true;
      });
      if (inserted) return;
    }
  }

  private checkNetwork(mode: string): void {
    if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return;
    if (!this.o.networkProvider?.handles(mode)) throw notFound(`network ${mode} not found`);
  }

  // ---- start ----------------------------------------------------------------------------------------

  /**
   * Starts a created or exited container: mount the rootfs, set up its network, write config.json,
   * hand it to a fresh conmon (runc create) and run `runc start`. `beforeStart` runs between create and
   * start, so a caller can attach and see every byte of output.
   */
  async start(ref: string, beforeStart?: (c: Container) => Promise<void>, opts: StartOptions = {}): Promise<Container> {
    let c = this.get(ref);
    if (c.State.Running) return c;
    if (c.State.Status === 'removing') throw conflict(`container ${c.Id} is marked for removal and cannot be started`);
    // A container that ran before may still hold runc state, a netns, a mount and exit files from that
    // run, and its exit may be being handled by another process (conmon's exit command) right now.
    const dir = this.dir(c.Id);
    if (c.State.StartedAt !== ZERO_TIME) {
      const exit = this.readExit(c.Id);
      if (exit) await this.releaseExit(c, exit.finishedAt);
      await this.releaseRuntime(c);
      removeTree(this.exitFile(c.Id));
      removeTree(path.join(dir, 'persist'));
      fs.mkdirSync(path.join(dir, 'persist'), { recursive: true });
    }
    // conmon starts up while the rootfs is mounted and config.json written; it runs `runc create` only
    // once started below.
    const conmon = spawnConmon({
      cid: c.Id,
      cuuid: c.Id,
      name: c.Name.slice(1),
      bundle: dir,
      runcRoot: this.o.paths.runcRoot,
      exitDir: path.join(dir, 'exits'),
      persistDir: path.join(dir, 'persist'),
      logPath: c.LogPath,
      terminal: c.Config.Tty,
      stdin: c.Config.OpenStdin,
      leaveStdinOpen: c.Config.OpenStdin && !c.Config.StdinOnce,
      exitCommand: this.wantsExitCommand(c, opts.foreground ?? false) ? this.o.cleanupCommand?.(c.Id) : undefined,
      pidFile: path.join(dir, 'pidfile'),
      conmonPidFile: path.join(dir, 'conmon.pid'),
    });
    try {
      this.mountRootfs(c);
      traceMark('rootfs mounted');
      const network = await this.setupNetwork(c);
      c = this.update(c.Id, (cur) => {
        cur.NetworkSettings = network.settings;
      });
      this.writeBundle(c, network.spec, network.dns, network.extraHosts);
      traceMark('bundle written');
      const handle = await conmon.start();
      traceMark('runc create done');
      const conmonPid = Number(fs.readFileSync(path.join(dir, 'conmon.pid'), 'utf8').trim()) || 0;
      c = this.update(c.Id, (cur) => {
        cur.State = { ...cur.State, Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: handle.pid, ExitCode: 0, Error: '', StartedAt: nowIso(), FinishedAt: ZERO_TIME };
        cur.ConmonPid = conmonPid;
        cur.ManuallyStopped = false;
      });
      if (beforeStart) await beforeStart(c);
      await this.runc.start(c.Id, handle.pid);
      traceMark('started');
    } catch (err) {
      conmon.cancel();
      const message = err instanceof Error ? err.message : String(err);
      const code = /executable file not found|no such file or directory/.test(message) ? 127 : /permission denied/.test(message) ? 126 : 128;
      await this.releaseRuntime(c).catch(() => undefined);
      this.update(c.Id, (cur) => {
        cur.State = { ...cur.State, Status: cur.State.StartedAt === ZERO_TIME ? 'created' : 'exited', Running: false, Pid: 0, ExitCode: code, Error: message };
      });
      throw new EngineError('Runtime', `failed to create task for container: ${message}: unknown`);
    }
    this.event('start', c);
    return c;
  }

  /**
   * Whether conmon must run `cleanup` on exit. Without restart policy, --rm or a network to release,
   * readers apply the exit file lazily; a foreground client cleans up itself, so it skips the hook
   * (one Node start less per `run --rm`) unless a restart policy needs it.
   */
  wantsExitCommand(c: Container, foreground: boolean): boolean {
    const restarts = !['', 'no'].includes(c.HostConfig.RestartPolicy.Name);
    if (foreground) return restarts;
    return restarts || c.HostConfig.AutoRemove || this.o.networkProvider !== undefined || c.Extras.sandbox === true;
  }

  private mountRootfs(c: Container): void {
    const dir = this.dir(c.Id);
    const rootfs = path.join(dir, 'rootfs');
    if (isMounted(rootfs)) return;
    const image = this.o.images.get(c.Image);
    if (!image) throw notFound(`image ${c.Image} of container ${c.Id.slice(0, 12)} is gone`);
    const lowers = this.o.snapshots.lowerDirs(image.chain);
    // A --rm container's writable layer goes with it: nothing in it has to survive a host crash.
    this.o.snapshots.mount(lowers, path.join(dir, 'upper'), path.join(dir, 'work'), rootfs, { volatile: c.HostConfig.AutoRemove });
  }

  /** Runs fn with the container's merged rootfs mounted, unmounting afterwards if it was not mounted before. */
  async withRootfs<T>(c: Container, fn: (rootfs: string) => Promise<T> | T): Promise<T> {
    const rootfs = path.join(this.dir(c.Id), 'rootfs');
    const wasMounted = isMounted(rootfs);
    if (!wasMounted) this.mountRootfs(c);
    try {
      return await fn(rootfs);
    } finally {
      if (!wasMounted && !this.find(c.Id)?.State.Running) unmount(rootfs);
    }
  }

  lowerDirs(c: Container): string[] {
    const image = this.o.images.get(c.Image);
    return image ? this.o.snapshots.lowerDirs(image.chain) : [];
  }

  private netnsFile(id: string): string {
    return path.join(this.o.paths.netns, id);
  }

  private attachRequest(c: Container): NetworkAttachRequest {
    return {
      containerId: c.Id,
      containerName: c.Name.slice(1),
      network: c.HostConfig.NetworkMode,
      netnsPath: this.netnsFile(c.Id),
      hostname: c.Config.Hostname,
      portBindings: c.HostConfig.PortBindings,
      aliases: [c.Name.slice(1), c.Id.slice(0, 12), ...(c.Extras.networkAliases ?? [])],
      ip: c.Extras.ipAddress,
    };
  }

  private async setupNetwork(c: Container): Promise<{ spec: string; settings: Container['NetworkSettings']; dns?: { nameservers: string[]; search: string[] }; ip?: string; extraHosts?: string[] }> {
    const empty = { Networks: {}, Ports: {}, SandboxKey: '' };
    if (c.Extras.namespaces?.network) return { spec: c.Extras.namespaces.network, settings: { ...empty, SandboxKey: c.Extras.namespaces.network } };
    const mode = c.HostConfig.NetworkMode;
    if (mode === 'host') return { spec: 'host', settings: { ...empty, Networks: { host: blankNet('host') } } };
    if (mode === 'none') return { spec: 'new', settings: { ...empty, Networks: { none: blankNet('none') } } };
    if (mode.startsWith('container:')) {
      const other = this.get(mode.slice('container:'.length));
      if (!other.State.Running) throw conflict(`cannot join network of a non running container: ${other.Id}`);
      return { spec: `/proc/${other.State.Pid}/ns/net`, settings: empty };
    }
    const provider = this.o.networkProvider;
    if (!provider?.handles(mode)) throw notFound(`network ${mode} not found`);
    const file = this.netnsFile(c.Id);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    const r = spawnSync('unshare', [`--net=${file}`, 'true'], { encoding: 'utf8' });
    if (r.status !== 0) throw new EngineError('Runtime', `creating network namespace: ${r.stderr.trim()}`);
    const att = await provider.attach(this.attachRequest(c));
    return {
      spec: file,
      dns: att.dns,
      ip: att.ipAddress,
      extraHosts: att.extraHosts,
      settings: {
        Networks: { [att.name]: { IPAddress: att.ipAddress, Gateway: att.gateway, IPPrefixLen: att.ipPrefixLen, MacAddress: att.macAddress, NetworkID: att.networkId } },
        Ports: att.ports ?? {},
        SandboxKey: file,
      },
    };
  }

  /** The container's cgroup path (the same under every v1 controller, or in the v2 tree). */
  cgroupPath(c: Container): string {
    return `${c.Extras.cgroupParent ?? this.o.paths.cgroupParent}/${c.Id}`;
  }

  private host(): HostLimits {
    this.hostLimits ??= {
      capBnd: parseCapBnd(fs.readFileSync('/proc/self/status', 'utf8')),
      hardLimits: parseHardLimits(fs.readFileSync('/proc/self/limits', 'utf8')),
    };
    return this.hostLimits;
  }

  private writeBundle(c: Container, network: string, dns?: { nameservers: string[]; search: string[] }, extraHosts: string[] = []): void {
    const dir = this.dir(c.Id);
    const rootfs = path.join(dir, 'rootfs');
    const read = (p: string): string => {
      try {
        return fs.readFileSync(path.join(rootfs, p), 'utf8');
      } catch {
        return '';
      }
    };
    const user = resolveUser(c.Config.User, read('etc/passwd'), read('etc/group'));
    const extraGroups = (c.HostConfig.GroupAdd ?? []).map((g) => (/^\d+$/.test(g) ? Number(g) : resolveUser(`0:${g}`, read('etc/passwd'), read('etc/group')).gid));
    user.additionalGids = [...new Set([...user.additionalGids, ...extraGroups])].filter((g) => g !== user.gid);
    const env = [...c.Config.Env];
    const has = (k: string): boolean => env.some((e) => e.startsWith(`${k}=`));
    if (!has('PATH')) env.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    if (!has('HOSTNAME')) env.push(`HOSTNAME=${c.Config.Hostname}`);
    if (c.Config.Tty && !has('TERM')) env.push('TERM=xterm');
    if (!has('HOME')) env.push(`HOME=${user.home}`);
    const ip = Object.values(c.NetworkSettings.Networks)[0]?.IPAddress ?? '';
    const etcDir = c.Extras.etcFilesFrom ? this.dir(c.Extras.etcFilesFrom) : dir;
    const etc = { hosts: path.join(etcDir, 'hosts'), hostname: path.join(etcDir, 'hostname'), resolvConf: path.join(etcDir, 'resolv.conf') };
    if (!c.Extras.etcFilesFrom) this.writeEtcFiles(c, etc, network, ip, dns, extraHosts);
    const spec = buildSpec({
      container: c,
      rootfs,
      args: [c.Path, ...c.Args],
      env,
      cwd: c.Config.WorkingDir || '/',
      user,
      cgroupsPath: this.cgroupPath(c),
      etcFiles: etc,
      network,
      initPath: c.HostConfig.Init ? INIT_BINARY : undefined,
      host: this.host(),
      hostDevices: c.HostConfig.Privileged ? hostDevices() : undefined,
    });
    if (c.Config.WorkingDir) fs.mkdirSync(path.join(rootfs, c.Config.WorkingDir), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  }

  private writeEtcFiles(c: Container, etc: { hosts: string; hostname: string; resolvConf: string }, network: string, ip: string, dns?: { nameservers: string[]; search: string[] }, extraHosts: string[] = []): void {
    if (network === 'host') fs.writeFileSync(etc.hosts, safeRead('/etc/hosts'));
    else fs.writeFileSync(etc.hosts, hostsFile(c.Config.Hostname, ip, [...(c.HostConfig.ExtraHosts ?? []), ...extraHosts]));
    fs.writeFileSync(etc.hostname, `${c.Config.Hostname}\n`);
    const own = c.Extras.dns;
    if (own) {
      const lines = [...own.servers.map((s) => `nameserver ${s}`), ...(own.searches.length ? [`search ${own.searches.join(' ')}`] : []), ...(own.options.length ? [`options ${own.options.join(' ')}`] : [])];
      fs.writeFileSync(etc.resolvConf, lines.join('\n') + '\n');
      return;
    }
    const dnsOverride = c.HostConfig.Dns?.length ? { nameservers: c.HostConfig.Dns, search: [] } : dns;
    fs.writeFileSync(etc.resolvConf, resolvConf(safeRead('/etc/resolv.conf'), network !== 'host', dnsOverride));
  }

  /**
   * Frees what a stopped container holds at runtime: runc state, network, rootfs mount. Idempotent.
   * The runc state goes as `runc delete` would remove it for a container whose init has exited (its
   * cgroups and state dir), done in-process because a runc spawn is a large share of a short `run --rm`;
   * anything unexpected (processes left in a cgroup, state of a live container) goes to `runc delete
   * --force`. Once no process of the container is left, the rootfs unmount (a process of its own) runs
   * while the state dir and the network are freed.
   */
  private async releaseRuntime(c: Container): Promise<void> {
    const rootfs = path.join(this.dir(c.Id), 'rootfs');
    const stateDir = path.join(this.o.paths.runcRoot, c.Id);
    let unmounting: Promise<void> | undefined;
    if (fs.existsSync(stateDir)) {
      if (this.readExit(c.Id) && removeCgroupLeaf(this.cgroupPath(c))) {
        if (isMounted(rootfs)) unmounting = unmountInBackground(rootfs);
        removeTree(stateDir);
      } else {
        await this.runc.delete(c.Id).catch(() => undefined);
      }
    }
    const file = this.netnsFile(c.Id);
    if (fs.existsSync(file)) {
      await this.o.networkProvider?.detach(this.attachRequest(c)).catch(() => undefined);
      unmount(file);
      fs.rmSync(file, { force: true });
    }
    if (unmounting) await unmounting;
    else if (isMounted(rootfs)) unmount(rootfs);
  }

  // ---- exit handling ----------------------------------------------------------------------------------

  /**
   * What happens after a container's process exits (run by conmon's exit command, by stop/kill/wait,
   * or by a foreground `run`): record the exit, free runtime resources, then apply --rm or the restart
   * policy. Safe to run more than once, and concurrently, for the same exit: one call does the work,
   * the others return once the runtime is free.
   */
  async cleanup(id: string): Promise<void> {
    const c = this.find(id);
    if (!c || c.State.Running) return;
    const exit = this.readExit(c.Id);
    if (!exit || !(await this.releaseExit(c, exit.finishedAt))) return;
    if (c.HostConfig.AutoRemove) await this.remove(c.Id, { force: true, released: true });
    else if (this.shouldRestart(c)) await this.restartAfterExit(c);
  }

  /**
   * Frees the runtime of the run that ended at `finishedAt`, once across processes: returns true in the
   * call that claimed the exit (it applies the exit's policy), false in the others, which wait until the
   * claimer is done (or take over if it died) so that nothing of a later run can be freed by them.
   */
  private async releaseExit(c: Container, finishedAt: string): Promise<boolean> {
    for (;;) {
      let claimed = false;
      let done = false;
      // Removed meanwhile (rm -f, another cleanup's --rm): whoever removed it freed the runtime.
      if (!this.o.db.getContainerData(c.Id)) return false;
      const cur = this.update(c.Id, (x) => {
        const claim = x.ExitCleanup;
        if (claim?.FinishedAt === finishedAt && (claim.Done || claim.Pid === process.pid || processAlive(claim.Pid))) {
          done = claim.Done;
          return;
        }
        x.ExitCleanup = { FinishedAt: finishedAt, Pid: process.pid, Done: false };
        claimed = true;
      });
      if (claimed) {
        await this.releaseRuntime(cur);
        this.update(c.Id, (x) => {
          if (x.ExitCleanup?.FinishedAt === finishedAt) x.ExitCleanup.Done = true;
        });
        return true;
      }
      if (done) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private shouldRestart(c: Container): boolean {
    const p = c.HostConfig.RestartPolicy;
    if (c.ManuallyStopped) return false;
    switch (p.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return c.State.ExitCode !== 0 && (p.MaximumRetryCount === 0 || c.RestartCount < p.MaximumRetryCount);
      default:
        return false;
    }
  }

  private async restartAfterExit(c: Container): Promise<void> {
    const updated = this.update(c.Id, (cur) => {
      cur.RestartCount++;
      cur.State.Status = 'restarting';
      cur.State.Restarting = true;
    });
    // Docker's backoff: 100 ms doubling per consecutive restart.
    await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (updated.RestartCount - 1), 60000)));
    const cur = this.find(c.Id);
    if (!cur || cur.ManuallyStopped || cur.State.Status !== 'restarting') return;
    await this.start(c.Id);
    this.event('restart', cur);
  }

  /**
   * After a host restart (or conmon deaths) nothing runs: record the lost containers as exited and start
   * again those whose restart policy asks for it (always, unless-stopped unless stopped by hand,
   * on-failure). Returns the ids started.
   */
  async restore(): Promise<string[]> {
    const started: string[] = [];
    for (const c of this.list()) {
      if (c.State.Running || c.Extras.sandbox) continue;
      const p = c.HostConfig.RestartPolicy.Name;
      const wasUp = c.State.Error === CONMON_LOST || c.State.Status === 'restarting';
      // Docker's daemon-start rules: always even after a manual stop, unless-stopped only if not stopped by hand.
      const wanted = p === 'always' ? true : p === 'unless-stopped' ? !c.ManuallyStopped : p === 'on-failure' ? wasUp : false;
      if (!wanted) continue;
      await this.start(c.Id);
      started.push(c.Id);
    }
    return started;
  }

  /** Waits until the container's process has exited and returns its exit code (docker wait). */
  async wait(ref: string, signal?: AbortSignal): Promise<number> {
    const id = this.get(ref).Id;
    let polls = 0;
    for (;;) {
      const c = this.find(id);
      if (!c) {
        const died = this.o.db.lastEvent(id, 'die');
        return died ? Number(died.attributes.exitCode) : 0;
      }
      if (c.State.Status !== 'running' && c.State.Status !== 'paused' && c.State.Status !== 'restarting') return c.State.ExitCode;
      if (signal?.aborted) throw new Error('wait aborted');
      // Short polls first: a foreground run asks right after its output ended, when the exit file is due.
      await new Promise((r) => setTimeout(r, polls++ < 40 ? 5 : 50));
    }
  }

  // ---- stop / kill / pause ----------------------------------------------------------------------------

  async kill(ref: string, sig = 'KILL'): Promise<Container> {
    const c = this.get(ref);
    if (!c.State.Running) throw conflict(`Cannot kill container: ${ref}: Container ${c.Id} is not running`);
    const name = signalName(sig);
    this.update(c.Id, (cur) => {
      cur.ManuallyStopped = true;
    });
    await this.runc.kill(c.Id, name);
    this.event('kill', c, { signal: String(signalNumber(name)) });
    if (name === 'KILL') await this.waitExit(c.Id, 5000);
    return this.get(c.Id);
  }

  /** docker stop: the stop signal, then SIGKILL after the timeout; returns once the container is down. */
  async stop(ref: string, timeoutSec?: number, signal?: string): Promise<Container> {
    const c = this.get(ref);
    if (!c.State.Running) {
      if (c.State.Status === 'restarting') this.update(c.Id, (cur) => Object.assign(cur.State, { Status: 'exited', Restarting: false }));
      this.update(c.Id, (cur) => {
        cur.ManuallyStopped = true;
      });
      return this.get(c.Id);
    }
    this.update(c.Id, (cur) => {
      cur.ManuallyStopped = true;
    });
    const timeout = timeoutSec ?? c.Config.StopTimeout ?? 10;
    const sig = signalName(signal ?? c.Config.StopSignal ?? 'TERM');
    await this.runc.kill(c.Id, sig);
    if (c.State.Paused) await this.runc.resume(c.Id).catch(() => undefined);
    if (timeout < 0 || !(await this.waitExit(c.Id, timeout * 1000, false))) {
      await this.runc.kill(c.Id, 'KILL', true);
      await this.waitExit(c.Id, 10000);
    } else {
      await this.cleanup(c.Id);
    }
    this.event('stop', c);
    return this.get(c.Id);
  }

  /** Polls the exit file; on exit runs cleanup (unless told not to) and returns true. */
  private async waitExit(id: string, ms: number, clean = true): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.readExit(id)) {
        this.find(id);
        if (clean) await this.cleanup(id);
        return true;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  async restart(ref: string, timeoutSec?: number): Promise<Container> {
    const c = await this.stop(ref, timeoutSec);
    const started = await this.start(c.Id);
    this.event('restart', started);
    return started;
  }

  async pause(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) throw conflict(`Container ${c.Id} is not running`);
    if (c.State.Paused) throw conflict(`Container ${c.Id} is already paused`);
    await this.runc.pause(c.Id);
    this.update(c.Id, (cur) => Object.assign(cur.State, { Status: 'paused', Paused: true }));
    this.event('pause', c);
  }

  async unpause(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Paused) throw conflict(`Container ${c.Id} is not paused`);
    await this.runc.resume(c.Id);
    this.update(c.Id, (cur) => Object.assign(cur.State, { Status: 'running', Paused: false }));
    this.event('unpause', c);
  }

  /** docker update: new resource limits (applied live with `runc update` when running) and restart policy. */
  async updateResources(ref: string, u: Partial<Pick<HostConfig, 'Memory' | 'MemorySwap' | 'NanoCpus' | 'CpuShares' | 'PidsLimit' | 'RestartPolicy'>>): Promise<Container> {
    const c = this.get(ref);
    const next = this.update(c.Id, (cur) => Object.assign(cur.HostConfig, u));
    if (c.State.Running) {
      const hc = next.HostConfig;
      const resources: Record<string, unknown> = {};
      if (u.Memory !== undefined) resources.memory = { limit: hc.Memory, ...(hc.MemorySwap ? { swap: hc.MemorySwap } : {}) };
      if (u.NanoCpus !== undefined || u.CpuShares !== undefined) {
        resources.cpu = {
          ...(hc.CpuShares ? { shares: hc.CpuShares } : {}),
          ...(hc.NanoCpus ? { period: 100000, quota: Math.round((hc.NanoCpus * 100000) / 1e9) } : {}),
        };
      }
      if (u.PidsLimit !== undefined) resources.pids = { limit: hc.PidsLimit ?? -1 };
      if (Object.keys(resources).length) await this.runc.update(c.Id, JSON.stringify(resources));
    }
    this.event('update', c);
    return next;
  }

  // ---- remove / rename ------------------------------------------------------------------------------

  /** docker rm; `released` skips freeing runtime resources a cleanup has just freed. */
  async remove(ref: string, opts: { force?: boolean; released?: boolean } = {}): Promise<Container> {
    const c = this.get(ref);
    if (c.State.Running || c.State.Status === 'restarting') {
      if (!opts.force) {
        const what = c.State.Paused ? 'paused' : 'running';
        throw conflict(`You cannot remove a ${what} container ${c.Id}. Stop the container before attempting removal or force remove`);
      }
      this.update(c.Id, (cur) => {
        cur.ManuallyStopped = true;
      });
      if (c.State.Running) {
        // conmon goes first: its exit command (restart policy, --rm) has nothing to do for a container
        // being removed, and skipping it spares a Node start per `rm -f` (and per container at teardown).
        if (processAlive(c.ConmonPid)) process.kill(c.ConmonPid, 'SIGKILL');
        await this.runc.kill(c.Id, 'KILL', true).catch(() => undefined);
        if (c.State.Paused) await this.runc.resume(c.Id).catch(() => undefined);
        this.event('die', c, { exitCode: '137' });
      }
    }
    this.update(c.Id, (cur) => Object.assign(cur.State, { Status: 'removing' }));
    if (!opts.released || c.State.Running) await this.releaseRuntime(c);
    removeTree(this.dir(c.Id));
    this.o.db.tx(() => this.o.db.deleteContainer(c.Id));
    this.event('destroy', c);
    return c;
  }

  rename(ref: string, newName: string): void {
    const c = this.get(ref);
    const name = validateName(newName);
    this.o.db.tx(() => {
      const owner = this.o.db.containerIdByName(name);
      if (owner && owner !== c.Id) {
        throw conflict(`Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      const cur = JSON.parse(this.o.db.getContainerData(c.Id)!) as Container;
      cur.Name = name;
      this.save(cur);
    });
    this.event('rename', { ...c, Name: name }, { oldName: c.Name });
  }

  /**
   * argv of `runc exec` for a process in a running container. runc takes the container's own process
   * settings (capabilities, env, user) and applies these overrides, which is docker exec's model.
   */
  async execArgs(c: Container, o: ExecOptions): Promise<string[]> {
    const rootfs = path.join(this.dir(c.Id), 'rootfs');
    const read = (p: string): string => safeRead(path.join(rootfs, p));
    const args = ['--root', this.o.paths.runcRoot, 'exec'];
    if (o.user) {
      const u = resolveUser(o.user, read('etc/passwd'), read('etc/group'));
      args.push('--user', `${u.uid}:${u.gid}`);
      for (const g of u.additionalGids) args.push('--additional-gids', String(g));
    }
    if (o.workdir) args.push('--cwd', o.workdir);
    for (const e of o.env) args.push('--env', e);
    if (o.tty) args.push('--tty', '--env', 'TERM=xterm');
    if (o.detach) args.push('--detach');
    if (o.privileged) for (const cap of capabilities({ ...c, HostConfig: { ...c.HostConfig, Privileged: true } }, this.host().capBnd)) args.push('--cap', cap);
    args.push(c.Id, ...o.cmd);
    this.event('exec_start', c, { execID: crypto.randomBytes(32).toString('hex'), exec_command: o.cmd.join(' ') });
    return [RUNC, ...args];
  }

  /** Image of a container (for commit, diff and inspect). */
  imageOf(c: Container): Image | undefined {
    return this.o.images.get(c.Image);
  }
}

function markExited(c: Container, code: number, finishedAt: string, oom: boolean, error = ''): void {
  c.State = { ...c.State, Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: oom, Pid: 0, ExitCode: code, FinishedAt: finishedAt, Error: error };
  // As docker: a stopped container keeps its networks but no longer holds an address on them.
  for (const [name, n] of Object.entries(c.NetworkSettings.Networks)) c.NetworkSettings.Networks[name] = blankNet(n.NetworkID);
}

function blankNet(name: string): Container['NetworkSettings']['Networks'][string] {
  return { IPAddress: '', Gateway: '', IPPrefixLen: 0, MacAddress: '', NetworkID: name };
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function hostHostname(): string {
  return safeRead('/proc/sys/kernel/hostname').trim() || 'localhost';
}

/** Image env first, then the user's -e values replacing same-named entries (docker's merge). */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const key = e.split('=')[0];
    const i = out.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}
