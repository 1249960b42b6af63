// A loaded project applied to one engine root: networks and volumes made under the project's names,
// containers created in dependency order and converged (unchanged kept, changed recreated, surplus
// removed), and the lifecycle verbs over the containers that carry the project's labels.
import fs from 'node:fs';
import type { Container, Engine } from '../engine/index.js';
import { execSync, readLogs } from '../engine/index.js';
import type { EngineNetworks } from '../engine/networks/index.js';
import { ANONYMOUS_LABEL, type VolumeStore } from '../engine/volumes/index.js';
import { replicas } from './normalize.js';
import { dependencyLevels, dependencyOrder, withDependencies } from './order.js';
import { COMPOSE_VERSION, configHash, containerName, durationMs, imageName, LABEL, networkAliases, runArgs, serviceNetworks, type ContainerRequest } from './service-args.js';
import { ComposeError, type Project, type Service } from './types.js';

/** What the project runner needs from its caller: the engine, and the CLI's own create/pull/build paths. */
export interface ComposeHost {
  engine: Engine;
  networks: EngineNetworks;
  volumes: VolumeStore;
  /** Creates (without starting) a container from `docker run` arguments, exactly as `docker create` would. */
  createContainer(args: string[]): Promise<Container>;
  /** Removes the anonymous volumes a removed container used (`down -v`, `rm -v`). */
  removeAnonymousVolumes(c: Container): Promise<void>;
  pull(image: string): Promise<void>;
  build(s: Service, tag: string): Promise<void>;
  /** One progress line (docker compose writes them to stderr: ` Container x-web-1  Started`). */
  progress(line: string): void;
}

function label(c: Container, key: string): string | undefined {
  return c.Config.Labels?.[key];
}

export function containerNumber(c: Container): number {
  return Number(label(c, LABEL.number) ?? 0);
}

export interface ContainerQuery {
  services?: string[];
  /** Include `compose run` containers. */
  oneoff?: boolean;
}

/** The project's containers, by service then number (what `ps` lists and `down` removes). */
export function projectContainers(engine: Engine, project: string, q: ContainerQuery = {}): Container[] {
  return engine.containers
    .list()
    .filter((c) => label(c, LABEL.project) === project && (q.oneoff || label(c, LABEL.oneoff) !== 'True'))
    .filter((c) => !q.services?.length || q.services.includes(label(c, LABEL.service) ?? ''))
    .sort((a, b) => (label(a, LABEL.service) ?? '').localeCompare(label(b, LABEL.service) ?? '') || containerNumber(a) - containerNumber(b));
}

export function serviceOf(c: Container): string {
  return label(c, LABEL.service) ?? '';
}

/** Refuses service names the project does not have, as `docker compose` does. */
export function checkServices(p: Project, names: string[]): void {
  for (const n of names) if (!p.services[n] && !p.disabled[n]) throw new ComposeError(`no such service: ${n}`);
}

/** Services named on the command line are enabled even when their profile is not. */
export function enableNamed(p: Project, names: string[]): void {
  for (const n of names) {
    if (p.disabled[n]) {
      p.services[n] = p.disabled[n];
      delete p.disabled[n];
    }
  }
}

async function ensureNetworks(h: ComposeHost, p: Project, services: Service[]): Promise<void> {
  const used = new Set(services.flatMap((s) => Object.keys(s.networks ?? {})));
  for (const key of used) {
    const n = p.networks[key];
    if (h.networks.find(n.name)?.Name === n.name) continue;
    if (n.external) throw new ComposeError(`network ${n.name} declared as external, but could not be found`);
    const ipam = n.ipam?.config?.[0];
    h.networks.create({
      name: n.name,
      driver: n.driver,
      internal: n.internal,
      subnet: ipam?.subnet,
      gateway: ipam?.gateway,
      labels: { ...(n.labels ?? {}), [LABEL.project]: p.name, [LABEL.network]: key, [LABEL.version]: COMPOSE_VERSION },
    });
    h.progress(` Network ${n.name}  Created`);
  }
}

function ensureVolumes(h: ComposeHost, p: Project, services: Service[]): void {
  const used = new Set(services.flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)));
  for (const key of used) {
    const v = p.volumes[key];
    if (h.volumes.find(v.name)) continue;
    if (v.external) throw new ComposeError(`external volume "${v.name}" not found`);
    h.volumes.create(v.name, { ...(v.labels ?? {}), [LABEL.project]: p.name, [LABEL.volume]: key, [LABEL.version]: COMPOSE_VERSION });
    h.progress(` Volume "${v.name}"  Created`);
  }
}

/** Builds images that are missing (or all buildable ones with `build`), pulls missing ones. */
async function ensureImages(h: ComposeHost, p: Project, services: Service[], o: { build?: boolean } = {}): Promise<void> {
  for (const s of services) {
    const image = imageName(p, s);
    if (s.build && (o.build || !h.engine.images.lookup(image))) await h.build(s, image);
    else if (!h.engine.images.lookup(image)) {
      try {
        await h.engine.images.resolve(image);
      } catch {
        await h.pull(image);
      }
    }
  }
}

/**
 * Starts a container and plugs it into its service's other networks (`run` attaches only the first);
 * a container whose service is gone from the file (an orphan) just starts.
 */
async function startContainer(h: ComposeHost, p: Project, s: Service | undefined, c: Container): Promise<void> {
  const started = await h.engine.containers.start(c.Id);
  if (!s || s.network_mode) return;
  for (const key of serviceNetworks(s).slice(1)) {
    const net = h.networks.get(p.networks[key].name);
    if (h.networks.endpoints({ containerId: c.Id, networkId: net.Id }).length) continue;
    const name = started.Name.slice(1);
    const att = await h.networks.connect({ containerId: c.Id, containerName: name, netnsPath: started.NetworkSettings.SandboxKey }, net.Id, { aliases: networkAliases(s, key) });
    h.engine.containers.update(c.Id, (cur) => {
      cur.NetworkSettings.Networks[att.name] = { IPAddress: att.ipAddress, Gateway: att.gateway, IPPrefixLen: att.ipPrefixLen, MacAddress: att.macAddress, NetworkID: att.networkId };
    });
  }
}

async function createServiceContainer(h: ComposeHost, p: Project, s: Service, req: Omit<ContainerRequest, 'imageId'>): Promise<Container> {
  const image = h.engine.images.lookup(imageName(p, s));
  return h.createContainer(runArgs(p, s, { ...req, imageId: image?.id }));
}

async function removeContainer(h: ComposeHost, c: Container, o: { volumes?: boolean } = {}): Promise<void> {
  const name = c.Name.slice(1);
  if (c.State.Running) {
    h.progress(` Container ${name}  Stopping`);
    await h.engine.containers.stop(c.Id);
    h.progress(` Container ${name}  Stopped`);
  }
  h.progress(` Container ${name}  Removing`);
  await h.engine.containers.remove(c.Id, { force: true });
  if (o.volumes) await h.removeAnonymousVolumes(c);
  h.progress(` Container ${name}  Removed`);
}

function outdated(h: ComposeHost, p: Project, s: Service, c: Container): boolean {
  if (label(c, LABEL.configHash) !== configHash(s)) return true;
  const image = h.engine.images.lookup(imageName(p, s));
  return !!image && image.id !== c.Image;
}

export interface UpOptions {
  services?: string[];
  build?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noStart?: boolean;
  removeOrphans?: boolean;
  /** --wait: return once every service with a healthcheck is healthy. */
  wait?: boolean;
}

/** Brings one service to its wanted containers; returns them. */
async function convergeService(h: ComposeHost, p: Project, s: Service, o: UpOptions): Promise<Container[]> {
  const existing = projectContainers(h.engine, p.name, { services: [s.name] });
  const want = replicas(s);
  for (const c of existing.filter((x) => containerNumber(x) > want).reverse()) await removeContainer(h, c);
  const out: Container[] = [];
  for (let n = 1; n <= want; n++) {
    let c = existing.find((x) => containerNumber(x) === n);
    const name = containerName(p, s, n);
    if (c && !o.noRecreate && (o.forceRecreate || outdated(h, p, s, c))) {
      h.progress(` Container ${name}  Recreate`);
      const anonymousVolumes = Object.fromEntries(c.Mounts.filter((m) => m.Type === 'volume' && m.Name && ANONYMOUS_LABEL in (h.volumes.find(m.Name)?.Labels ?? {})).map((m) => [m.Destination, m.Name!]));
      await h.engine.containers.stop(c.Id);
      await h.engine.containers.remove(c.Id, { force: true });
      c = await createServiceContainer(h, p, s, { name, number: n, anonymousVolumes });
      h.progress(` Container ${name}  Recreated`);
    } else if (!c) {
      h.progress(` Container ${name}  Creating`);
      c = await createServiceContainer(h, p, s, { name, number: n });
      h.progress(` Container ${name}  Created`);
    }
    const running = h.engine.containers.get(c.Id).State.Running;
    if (!o.noStart && !running) {
      h.progress(` Container ${name}  Starting`);
      await startContainer(h, p, s, c);
      h.progress(` Container ${name}  Started`);
    } else if (running) h.progress(` Container ${name}  Running`);
    out.push(h.engine.containers.get(c.Id));
  }
  return out;
}

/**
 * Waits for a dependency's condition: healthy runs the service's healthcheck in its container as the
 * daemon would (every interval; unhealthy after `retries` failures in a row), completed waits for a
 * zero exit.
 */
async function waitFor(h: ComposeHost, p: Project, dep: Service, condition: string): Promise<void> {
  const containers = projectContainers(h.engine, p.name, { services: [dep.name] });
  for (const c of containers) {
    const name = c.Name.slice(1);
    if (condition === 'service_completed_successfully') {
      h.progress(` Container ${name}  Waiting`);
      const code = await h.engine.containers.wait(c.Id);
      if (code !== 0) throw new ComposeError(`service "${dep.name}" didn't complete successfully: exit ${code}`);
      h.progress(` Container ${name}  Exited`);
    } else if (condition === 'service_healthy') {
      const hc = dep.healthcheck;
      if (!hc?.test || hc.disable || hc.test[0] === 'NONE') throw new ComposeError(`dependency failed to start: container ${name} has no healthcheck configured`);
      h.progress(` Container ${name}  Waiting`);
      if (!(await healthy(h, c, hc.test, hc))) throw new ComposeError(`dependency failed to start: container ${name} is unhealthy`);
      h.progress(` Container ${name}  Healthy`);
    }
  }
}

async function healthy(h: ComposeHost, c: Container, test: string[], hc: NonNullable<Service['healthcheck']>): Promise<boolean> {
  const cmd = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test.slice(1).join(' ')] : test[0] === 'CMD' ? test.slice(1) : test;
  const interval = hc.interval ? durationMs(hc.interval) : 30000;
  const timeout = hc.timeout ? durationMs(hc.timeout) : 30000;
  const retries = hc.retries ?? 3;
  const startPeriodEnd = Date.now() + (hc.start_period ? durationMs(hc.start_period) : 0);
  let failures = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, interval));
    const cur = h.engine.containers.find(c.Id);
    if (!cur?.State.Running) return false;
    const r = await execSync(h.engine.containers, c.Id, cmd, timeout).catch(() => ({ exitCode: 1, timedOut: false }));
    if (r.exitCode === 0 && !r.timedOut) return true;
    if (Date.now() >= startPeriodEnd && ++failures >= retries) return false;
  }
}

/** What containers of these services need first: their images, networks and named volumes. */
export async function prepare(h: ComposeHost, p: Project, services: Service[], o: { build?: boolean } = {}): Promise<void> {
  await ensureImages(h, p, services, o);
  await ensureNetworks(h, p, services);
  ensureVolumes(h, p, services);
}

/** docker compose up (the part before attaching): returns the containers it created or kept. */
export async function up(h: ComposeHost, p: Project, o: UpOptions = {}): Promise<Container[]> {
  enableNamed(p, o.services ?? []);
  checkServices(p, o.services ?? []);
  const selected = o.services?.length ? withDependencies(p.services, o.services) : new Set(Object.keys(p.services));
  const order = dependencyOrder(p.services).filter((n) => selected.has(n));
  const services = order.map((n) => p.services[n]);
  await prepare(h, p, services, { build: o.build });
  const orphans = projectContainers(h.engine, p.name).filter((x) => !p.services[serviceOf(x)] && !p.disabled[serviceOf(x)]);
  if (o.removeOrphans) for (const c of orphans) await removeContainer(h, c);
  else if (orphans.length) {
    h.progress(`WARN[0000] Found orphan containers ([${orphans.map((c) => c.Name.slice(1)).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const out: Container[] = [];
  for (const s of services) {
    if (!o.noStart) for (const [d, dep] of Object.entries(s.depends_on ?? {})) if (p.services[d]) await waitFor(h, p, p.services[d], dep.condition);
    out.push(...(await convergeService(h, p, s, o)));
  }
  if (o.wait) for (const s of services.filter((x) => x.healthcheck?.test && !x.healthcheck.disable)) await waitFor(h, p, s, 'service_healthy');
  return out;
}

/** docker compose down: containers (one-off ones too), the project's networks, and with -v its volumes. */
export async function down(h: ComposeHost, p: Project, o: { volumes?: boolean; removeOrphans?: boolean } = {}): Promise<void> {
  const all = projectContainers(h.engine, p.name, { oneoff: true });
  const known = (c: Container): boolean => !!p.services[serviceOf(c)] || !!p.disabled[serviceOf(c)];
  await byLevels(p, all.filter((c) => known(c) || o.removeOrphans), true, (c) => removeContainer(h, c, { volumes: o.volumes }));
  for (const n of h.networks.list().filter((x) => x.Labels[LABEL.project] === p.name)) {
    h.progress(` Network ${n.Name}  Removing`);
    await h.networks.remove(n.Id);
    h.progress(` Network ${n.Name}  Removed`);
  }
  if (o.volumes) {
    for (const v of h.volumes.list().filter((x) => x.Labels[LABEL.project] === p.name)) {
      h.progress(` Volume ${v.Name}  Removing`);
      h.volumes.remove(v.Name, []);
      h.progress(` Volume ${v.Name}  Removed`);
    }
  }
}

/**
 * Runs fn over containers level by level of the dependency graph (dependents first when `reverse`),
 * all containers of one level at once; containers of services the project no longer has go first.
 */
async function byLevels(p: Project, containers: Container[], reverse: boolean, fn: (c: Container) => Promise<void>): Promise<void> {
  const levels = dependencyLevels(p.services);
  if (reverse) levels.reverse();
  const placed = new Set(levels.flat());
  const groups = [containers.filter((c) => !placed.has(serviceOf(c))), ...levels.map((names) => containers.filter((c) => names.includes(serviceOf(c))))];
  for (const group of groups) await Promise.all(group.map(fn));
}

/** Containers in start order: dependencies first. */
function byOrder(p: Project, containers: Container[]): Container[] {
  const order = dependencyOrder(p.services);
  const rank = (c: Container): number => order.indexOf(serviceOf(c));
  return [...containers].sort((a, b) => rank(a) - rank(b));
}

export async function start(h: ComposeHost, p: Project, services: string[] = []): Promise<void> {
  checkServices(p, services);
  const containers = byOrder(p, projectContainers(h.engine, p.name, { services }));
  if (!containers.length) throw new ComposeError('service(s) not running: no containers to start');
  for (const c of containers) {
    if (c.State.Running) continue;
    h.progress(` Container ${c.Name.slice(1)}  Starting`);
    await startContainer(h, p, p.services[serviceOf(c)], c);
    h.progress(` Container ${c.Name.slice(1)}  Started`);
  }
}

export async function stop(h: ComposeHost, p: Project, services: string[] = [], timeoutSec?: number): Promise<void> {
  checkServices(p, services);
  await byLevels(p, projectContainers(h.engine, p.name, { services }).filter((c) => c.State.Running), true, async (c) => {
    h.progress(` Container ${c.Name.slice(1)}  Stopping`);
    await h.engine.containers.stop(c.Id, timeoutSec);
    h.progress(` Container ${c.Name.slice(1)}  Stopped`);
  });
}

/**
 * Waits until the exit handling conmon started for a stopped container has finished: conmon forks
 * `container cleanup ID` as it exits, and a start racing that cleanup loses its fresh network
 * namespace (the engine has no per-container lock yet). Bounded, so a stuck cleanup never hangs us.
 */
async function exitHandled(c: Container): Promise<void> {
  const deadline = Date.now() + 5000;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const cleanupRunning = (): boolean =>
    fs.readdirSync('/proc').some((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.includes('cleanup') && argv.includes(c.Id);
      } catch {
        return false;
      }
    });
  while (Date.now() < deadline && ((c.ConmonPid && alive(c.ConmonPid)) || cleanupRunning())) await new Promise((r) => setTimeout(r, 50));
}

export async function restart(h: ComposeHost, p: Project, services: string[] = [], timeoutSec?: number): Promise<void> {
  const before = projectContainers(h.engine, p.name, { services });
  await stop(h, p, services, timeoutSec);
  await Promise.all(before.map(exitHandled));
  for (const c of byOrder(p, projectContainers(h.engine, p.name, { services }))) {
    h.progress(` Container ${c.Name.slice(1)}  Restarting`);
    await startContainer(h, p, p.services[serviceOf(c)], c);
    h.progress(` Container ${c.Name.slice(1)}  Started`);
  }
}

export async function kill(h: ComposeHost, p: Project, services: string[] = [], signal = 'KILL'): Promise<void> {
  checkServices(p, services);
  for (const c of projectContainers(h.engine, p.name, { services })) {
    if (!c.State.Running) continue;
    h.progress(` Container ${c.Name.slice(1)}  Killing`);
    await h.engine.containers.kill(c.Id, signal);
    h.progress(` Container ${c.Name.slice(1)}  Killed`);
  }
}

/** docker compose rm: stopped containers (with --stop, running ones after stopping them). */
export async function rm(h: ComposeHost, p: Project, services: string[] = [], o: { stop?: boolean; volumes?: boolean } = {}): Promise<Container[]> {
  checkServices(p, services);
  if (o.stop) await stop(h, p, services);
  const gone = projectContainers(h.engine, p.name, { services }).filter((c) => !h.engine.containers.get(c.Id).State.Running);
  for (const c of gone) await removeContainer(h, c, { volumes: o.volumes });
  return gone;
}

export interface LogLine {
  container: Container;
  stream: 'stdout' | 'stderr';
  data: Buffer;
  timeNano: bigint;
}

/**
 * Reads (and with `follow`, follows) several containers' logs at once; resolves when every reader is
 * done: all history read, or with `follow` every container stopped, or `signal` aborted.
 */
export async function readProjectLogs(
  engine: Engine,
  containers: Container[],
  o: { follow?: boolean; tail?: number; sinceNano?: bigint; signal?: AbortSignal },
  onLine: (l: LogLine) => void,
  onExit?: (c: Container) => void,
): Promise<void> {
  await Promise.all(
    containers.map(async (c) => {
      if (!c.LogPath) return;
      await readLogs(
        c.LogPath,
        {
          tail: o.tail,
          sinceNano: o.sinceNano,
          follow: o.follow,
          signal: o.signal,
          isRunning: () => {
            const cur = engine.containers.find(c.Id);
            return !!cur && (cur.State.Running || cur.State.Status === 'restarting');
          },
        },
        (m) => onLine({ container: c, stream: m.stream, data: m.data, timeNano: m.timeNano }),
      );
      if (o.follow && !o.signal?.aborted) onExit?.(engine.containers.find(c.Id) ?? c);
    }),
  );
}
