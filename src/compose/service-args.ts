// A service's container as `docker run` arguments. Compose builds its containers from these with the
// engine CLI's own create-flag parsing, so every setting means exactly what the same `run` flag means.
import crypto from 'node:crypto';
import type { Project, Service } from './types.js';

/** The docker compose release whose behaviour and labels skiff follows. */
export const COMPOSE_VERSION = '2.29.0';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** Go duration text ("1m30s", "500ms") in milliseconds. */
export function durationMs(text: string): number {
  let ms = 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) ms += Number(m[1]) * units[m[2]];
  return ms;
}

/** compose's config hash: the service without what may change without recreating its containers. */
export function configHash(s: Service): string {
  const { build: _b, pull_policy: _p, scale: _s, depends_on: _d, profiles: _pr, deploy, ...rest } = s;
  const { replicas: _r, ...deployRest } = deploy ?? {};
  const canonical = JSON.stringify({ ...rest, ...(deploy ? { deploy: deployRest } : {}) }, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

/** compose v2's names: `<project>-<service>-<n>`, unless container_name says otherwise. */
export function containerName(p: Project, s: Service, n: number): string {
  return s.container_name ?? `${p.name}-${s.name}-${n}`;
}

/** The image a service runs: its `image`, or `<project>-<service>` for one built without a name. */
export function imageName(p: Project, s: Service): string {
  return s.image ?? `${p.name}-${s.name}`;
}

/** The service's networks, primary first (compose sorts by priority, then name). */
export function serviceNetworks(s: Service): string[] {
  return Object.keys(s.networks ?? {}).sort();
}

export function restartPolicy(s: Service): string | undefined {
  if (s.restart) return s.restart;
  const rp = s.deploy?.restart_policy;
  if (!rp) return undefined;
  if (rp.condition === 'none') return 'no';
  if (rp.condition === 'on-failure') return rp.max_attempts ? `on-failure:${rp.max_attempts}` : 'on-failure';
  return 'always';
}

export interface ContainerRequest {
  name: string;
  number: number;
  oneoff?: boolean;
  /** Replaces the service's command (compose run). */
  command?: string[];
  /** Extra `run` flags (compose run's --rm, -e, …), placed before the image. */
  extraFlags?: string[];
  /** Image id to record in the labels. */
  imageId?: string;
  /** Anonymous volumes of the container this one replaces, by mount target: recreating keeps their data. */
  anonymousVolumes?: Record<string, string>;
}

/** Labels compose puts on every container it creates, plus the service's own. */
export function containerLabels(p: Project, s: Service, req: ContainerRequest): Record<string, string> {
  return {
    ...(s.labels ?? {}),
    [LABEL.project]: p.name,
    [LABEL.service]: s.name,
    [LABEL.number]: String(req.number),
    [LABEL.oneoff]: req.oneoff ? 'True' : 'False',
    [LABEL.configHash]: configHash(s),
    [LABEL.workingDir]: p.workingDir,
    [LABEL.configFiles]: p.configFiles.join(','),
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.dependsOn]: Object.entries(s.depends_on ?? {}).map(([d, x]) => `${d}:${x.condition}:${x.restart ?? false}`).join(','),
    ...(req.imageId ? { [LABEL.image]: req.imageId } : {}),
  };
}

/** `docker run` arguments (flags, image, command) for one container of a service. */
export function runArgs(p: Project, s: Service, req: ContainerRequest): string[] {
  const a: string[] = ['--name', req.name];
  const flag = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') a.push(`--${name}`, String(value));
  };
  for (const [k, v] of Object.entries(containerLabels(p, s, req))) a.push('--label', `${k}=${v}`);
  if (s.network_mode) {
    const m = s.network_mode;
    flag('network', m.startsWith('service:') ? `container:${containerName(p, p.services[m.slice('service:'.length)], 1)}` : m);
  } else {
    const primary = serviceNetworks(s)[0];
    if (primary) {
      flag('network', p.networks[primary].name);
      for (const alias of networkAliases(s, primary)) flag('network-alias', alias);
    }
  }
  flag('hostname', s.hostname);
  flag('workdir', s.working_dir);
  flag('user', s.user);
  for (const [k, v] of Object.entries(s.environment ?? {})) a.push('--env', `${k}=${v}`);
  for (const port of s.ports ?? []) {
    const host = port.host_ip ? `${port.host_ip}:${port.published ?? ''}:` : port.published ? `${port.published}:` : '';
    a.push('--publish', `${host}${port.target}/${port.protocol}`);
  }
  for (const e of s.expose ?? []) flag('expose', e);
  for (const v of s.volumes ?? []) {
    const ro = v.read_only ? ':ro' : '';
    if (v.type === 'tmpfs') flag('tmpfs', v.target);
    else if (v.type === 'bind' && v.bind?.create_host_path === false) a.push('--mount', `type=bind,source=${v.source},target=${v.target}${v.read_only ? ',readonly' : ''}`);
    else if (v.type === 'bind') a.push('--volume', `${v.source}:${v.target}${ro}`);
    else if (v.source) a.push('--volume', `${p.volumes[v.source].name}:${v.target}${ro}`);
    else a.push('--volume', req.anonymousVolumes?.[v.target] ? `${req.anonymousVolumes[v.target]}:${v.target}` : v.target);
  }
  // the image's own VOLUMEs are anonymous too
  const declared = new Set((s.volumes ?? []).map((v) => v.target));
  for (const [target, name] of Object.entries(req.anonymousVolumes ?? {})) if (!declared.has(target)) a.push('--volume', `${name}:${target}`);
  for (const t of s.tmpfs ?? []) flag('tmpfs', t);
  flag('restart', restartPolicy(s));
  if (s.privileged) a.push('--privileged');
  if (s.read_only) a.push('--read-only');
  if (s.init) a.push('--init');
  if (s.tty) a.push('--tty');
  if (s.stdin_open) a.push('--interactive');
  for (const c of s.cap_add ?? []) flag('cap-add', c);
  for (const c of s.cap_drop ?? []) flag('cap-drop', c);
  for (const d of s.dns ?? []) flag('dns', d);
  for (const h of s.extra_hosts ?? []) flag('add-host', h);
  for (const o of s.security_opt ?? []) flag('security-opt', o);
  flag('stop-signal', s.stop_signal);
  if (s.stop_grace_period) flag('stop-timeout', Math.ceil(durationMs(s.stop_grace_period) / 1000));
  flag('memory', s.mem_limit);
  flag('cpus', s.cpus);
  flag('pids-limit', s.pids_limit);
  flag('shm-size', s.shm_size);
  for (const [k, v] of Object.entries(s.ulimits ?? {})) flag('ulimit', `${k}=${v.soft}:${v.hard}`);
  for (const [k, v] of Object.entries(s.sysctls ?? {})) flag('sysctl', `${k}=${v}`);
  flag('log-driver', s.logging?.driver);
  for (const [k, v] of Object.entries(s.logging?.options ?? {})) flag('log-opt', `${k}=${v}`);
  a.push(...(req.extraFlags ?? []));
  // `run` takes one entrypoint word; the rest of a longer entrypoint leads the command, which is the
  // same process argv (and an entrypoint drops the image's CMD either way).
  const command = req.command ?? s.command ?? [];
  if (s.entrypoint !== undefined) {
    const [first = '', ...tail] = s.entrypoint ?? [];
    a.push('--entrypoint', first, '--', imageName(p, s), ...tail, ...command);
  } else a.push('--', imageName(p, s), ...command);
  return a;
}

/** Names a container answers to on one of its networks: its service's name and the network's aliases. */
export function networkAliases(s: Service, network: string): string[] {
  return [...new Set([s.name, ...(s.networks?.[network]?.aliases ?? [])])];
}
