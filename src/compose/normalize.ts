// One compose file's service as written → the canonical Service (types.ts): the short and long syntaxes
// of ports, volumes, networks, depends_on, environment and labels become one shape, so that files merge
// field by field and everything after this sees one form.
import os from 'node:os';
import path from 'node:path';
import { ComposeError, type Dependency, type Healthcheck, type PortConfig, type Service, type ServiceVolume } from './types.js';

type Raw = Record<string, unknown>;

/** Service keys of the compose spec; any other key (but `x-…`) is refused as docker compose does. */
const SERVICE_KEYS = new Set(
  ('annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name cpu_count cpu_percent ' +
    'cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules ' +
    'devices dns dns_opt dns_search domainname entrypoint env_file environment expose extends external_links extra_hosts gpus group_add ' +
    'healthcheck hostname image init ipc isolation label_file labels links logging mac_address mem_limit mem_reservation mem_swappiness ' +
    'memswap_limit network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop privileged ' +
    'profiles pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal ' +
    'storage_opt sysctls tmpfs tty ulimits user userns_mode uts volumes volumes_from working_dir').split(' '),
);

export function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: string, what: string): never {
  throw new ComposeError(`${where} ${what}`);
}

function str(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fail(where, 'must be a string');
}

function strList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return fail(where, 'must be a list');
  return v.map((x, i) => str(x, `${where}.${i}`));
}

/** `[K=V, …]` or `{K: V}` → map; a bare `K` (or `K: null`) takes `lookup(K)` and is dropped when unset. */
export function keyValues(v: unknown, where: string, lookup: (k: string) => string | undefined = () => undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) {
    for (const [i, item] of v.entries()) {
      const s = str(item, `${where}.${i}`);
      const eq = s.indexOf('=');
      if (eq >= 0) out[s.slice(0, eq)] = s.slice(eq + 1);
      else if (lookup(s) !== undefined) out[s] = lookup(s)!;
    }
    return out;
  }
  if (!isObject(v)) return fail(where, 'must be a mapping or a list');
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined) {
      if (lookup(k) !== undefined) out[k] = lookup(k)!;
    } else out[k] = str(x, `${where}.${k}`);
  }
  return out;
}

/** Splits a command string into words as a POSIX shell would, without any expansion (go-shellwords). */
export function splitCommand(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new ComposeError(`invalid command line string: ${JSON.stringify(s)}`);
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && /["\\$`]/.test(s[j + 1] ?? '')) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new ComposeError(`invalid command line string: ${JSON.stringify(s)}`);
      i = j;
      inWord = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function command(v: unknown, where: string): string[] | null {
  if (v === null) return null;
  if (typeof v === 'string') return splitCommand(v);
  return strList(v, where);
}

function expandRange(spec: string): number[] {
  const [lo, hi] = spec.split('-').map(Number);
  if (!Number.isInteger(lo) || (hi !== undefined && (!Number.isInteger(hi) || hi < lo))) throw new ComposeError(`Invalid containerPort: ${spec}`);
  return hi === undefined ? [lo] : Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** Short port syntax: `[[host_ip:]published:]target[/protocol]`, ranges on either side. */
export function parsePortShort(spec: string): PortConfig[] {
  const [addr, proto = 'tcp'] = spec.split('/');
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new ComposeError(`Invalid proto: ${proto}`);
  let hostIp: string | undefined;
  let rest = addr;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(addr);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2];
  }
  const parts = rest.split(':');
  if (parts.length > 3 || (v6 && parts.length > 2)) throw new ComposeError(`Invalid port specification: ${JSON.stringify(spec)}`);
  const target = parts.pop()!;
  const published = parts.pop();
  if (parts.length) hostIp = parts[0];
  const targets = expandRange(target);
  const hosts = published ? expandRange(published) : [];
  if (hosts.length > 1 && hosts.length !== targets.length && targets.length > 1) throw new ComposeError(`Invalid ranges specified for container and host Ports: ${target} and ${published}`);
  return targets.map((t, i) => ({
    target: t,
    ...(published ? { published: targets.length === 1 && hosts.length > 1 ? published : String(hosts[i]) } : {}),
    ...(hostIp ? { host_ip: hostIp } : {}),
    protocol: proto,
  }));
}

function ports(v: unknown, where: string): PortConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'must be a list');
  return v.flatMap((p, i): PortConfig[] => {
    if (isObject(p)) {
      const target = Number(p.target);
      if (!Number.isInteger(target)) fail(`${where}.${i}.target`, 'must be an integer');
      const protocol = (p.protocol ?? 'tcp') as PortConfig['protocol'];
      return [{ target, ...(p.published !== undefined ? { published: str(p.published, `${where}.${i}.published`) } : {}), ...(p.host_ip ? { host_ip: str(p.host_ip, `${where}.${i}.host_ip`) } : {}), protocol }];
    }
    return parsePortShort(str(p, `${where}.${i}`));
  });
}

function hostPath(source: string, workingDir: string): string {
  if (source === '~' || source.startsWith('~/')) return path.join(os.homedir(), source.slice(1));
  return path.resolve(workingDir, source);
}

/** Short volume syntax: `[source:]target[:mode]`; a source that is a path (./ ../ / ~) is a bind mount. */
export function parseVolumeShort(spec: string, workingDir: string): ServiceVolume {
  const parts = spec.split(':');
  if (parts.length === 1) return { type: 'volume', target: parts[0] };
  if (parts.length > 3) throw new ComposeError(`invalid spec: ${spec}: too many colons`);
  const [source, target, mode = ''] = parts;
  const ro = mode.split(',').includes('ro');
  const isPath = /^(\.|\/|~)/.test(source);
  const out: ServiceVolume = isPath ? { type: 'bind', source: hostPath(source, workingDir), target, bind: { create_host_path: true } } : { type: 'volume', source, target };
  if (ro) out.read_only = true;
  return out;
}

function volumes(v: unknown, where: string, workingDir: string): ServiceVolume[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'must be a list');
  return v.map((m, i): ServiceVolume => {
    if (!isObject(m)) return parseVolumeShort(str(m, `${where}.${i}`), workingDir);
    const type = m.type as ServiceVolume['type'];
    if (!['bind', 'volume', 'tmpfs'].includes(type)) fail(`${where}.${i}.type`, `must be one of: bind, volume, tmpfs`);
    const target = str(m.target ?? m.destination, `${where}.${i}.target`);
    const out: ServiceVolume = { type, target };
    if (m.source !== undefined && m.source !== '') out.source = type === 'bind' ? hostPath(str(m.source, `${where}.${i}.source`), workingDir) : str(m.source, `${where}.${i}.source`);
    if (type === 'bind' && !out.source) fail(`${where}.${i}`, 'bind mount requires a source');
    if (m.read_only) out.read_only = true;
    if (type === 'bind') out.bind = { create_host_path: isObject(m.bind) && m.bind.create_host_path !== undefined ? Boolean(m.bind.create_host_path) : true };
    return out;
  });
}

function networks(v: unknown, where: string): Record<string, { aliases?: string[]; ipv4_address?: string } | null> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((n, i) => [str(n, `${where}.${i}`), null]));
  if (!isObject(v)) fail(where, 'must be a mapping or a list');
  return Object.fromEntries(
    Object.entries(v).map(([k, n]) => {
      if (n === null || n === undefined) return [k, null];
      if (!isObject(n)) fail(`${where}.${k}`, 'must be a mapping');
      return [k, { ...(n.aliases ? { aliases: strList(n.aliases, `${where}.${k}.aliases`) } : {}), ...(n.ipv4_address ? { ipv4_address: str(n.ipv4_address, `${where}.${k}.ipv4_address`) } : {}) }];
    }),
  );
}

function dependsOn(v: unknown, where: string): Record<string, Dependency> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((n, i) => [str(n, `${where}.${i}`), { condition: 'service_started', required: true }]));
  if (!isObject(v)) fail(where, 'must be a mapping or a list');
  return Object.fromEntries(
    Object.entries(v).map(([k, d]) => {
      const cond = isObject(d) && d.condition !== undefined ? str(d.condition, `${where}.${k}.condition`) : 'service_started';
      if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(cond)) fail(`${where}.${k}.condition`, `must be one of: service_started, service_healthy, service_completed_successfully`);
      const dep: Dependency = { condition: cond as Dependency['condition'], required: !(isObject(d) && d.required === false) };
      if (isObject(d) && d.restart !== undefined) dep.restart = Boolean(d.restart);
      return [k, dep];
    }),
  );
}

function healthcheck(v: unknown, where: string): Healthcheck | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(where, 'must be a mapping');
  const out: Healthcheck = {};
  if (v.test !== undefined) out.test = typeof v.test === 'string' ? ['CMD-SHELL', v.test] : strList(v.test, `${where}.test`);
  for (const k of ['interval', 'timeout', 'start_period'] as const) if (v[k] !== undefined) out[k] = str(v[k], `${where}.${k}`);
  if (v.retries !== undefined) out.retries = Number(v.retries);
  if (v.disable !== undefined) out.disable = Boolean(v.disable);
  return out;
}

function extraHosts(v: unknown, where: string): string[] {
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}:${str(x, `${where}.${k}`)}`);
  // compose accepts `host=ip` as well as docker's `host:ip`
  return strList(v, where).map((h) => (/^[^:=]+=/.test(h) ? h.replace('=', ':') : h));
}

function ulimits(v: unknown, where: string): Record<string, { soft: number; hard: number }> {
  if (!isObject(v)) return fail(where, 'must be a mapping');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => (isObject(x) ? [k, { soft: Number(x.soft), hard: Number(x.hard) }] : [k, { soft: Number(x), hard: Number(x) }])));
}

/**
 * Normalises one service of one file. `workingDir` anchors relative paths; `lookup` answers bare
 * `environment` entries from the shell environment.
 */
export function normalizeService(name: string, raw: unknown, workingDir: string, lookup: (k: string) => string | undefined): Service {
  const where = `services.${name}`;
  if (raw === null || raw === undefined) return { name };
  if (!isObject(raw)) fail(where, 'must be a mapping');
  for (const k of Object.keys(raw)) if (!SERVICE_KEYS.has(k) && !k.startsWith('x-')) throw new ComposeError(`${where} additional properties '${k}' not allowed`);
  const s: Service = { name };
  const r = raw;
  const at = (k: string): string => `${where}.${k}`;
  if (r.image !== undefined) s.image = str(r.image, at('image'));
  if (r.build !== undefined) {
    if (isObject(r.build)) {
      s.build = { context: hostPath(str(r.build.context ?? '.', at('build.context')), workingDir) };
      if (r.build.dockerfile !== undefined) s.build.dockerfile = str(r.build.dockerfile, at('build.dockerfile'));
      if (r.build.args !== undefined) s.build.args = keyValues(r.build.args, at('build.args'), lookup);
      if (r.build.target !== undefined) s.build.target = str(r.build.target, at('build.target'));
    } else s.build = { context: hostPath(str(r.build, at('build')), workingDir) };
  }
  if (r.command !== undefined) s.command = command(r.command, at('command'));
  if (r.entrypoint !== undefined) s.entrypoint = command(r.entrypoint, at('entrypoint'));
  if (r.environment !== undefined) s.environment = keyValues(r.environment, at('environment'), lookup);
  if (r.env_file !== undefined) {
    const files = Array.isArray(r.env_file) ? r.env_file : [r.env_file];
    s.env_file = files.map((f, i) => hostPath(isObject(f) ? str(f.path, `${at('env_file')}.${i}.path`) : str(f, `${at('env_file')}.${i}`), workingDir));
  }
  if (r.ports !== undefined) s.ports = ports(r.ports, at('ports'));
  if (r.expose !== undefined) s.expose = strList(r.expose, at('expose'));
  if (r.volumes !== undefined) s.volumes = volumes(r.volumes, at('volumes'), workingDir);
  if (r.tmpfs !== undefined) s.tmpfs = strList(r.tmpfs, at('tmpfs'));
  if (r.networks !== undefined) s.networks = networks(r.networks, at('networks'));
  if (r.network_mode !== undefined) s.network_mode = str(r.network_mode, at('network_mode'));
  if (r.depends_on !== undefined) s.depends_on = dependsOn(r.depends_on, at('depends_on'));
  if (r.links !== undefined) s.links = strList(r.links, at('links'));
  if (r.restart !== undefined) s.restart = str(r.restart, at('restart'));
  if (r.labels !== undefined) s.labels = keyValues(r.labels, at('labels'));
  if (r.healthcheck !== undefined) s.healthcheck = healthcheck(r.healthcheck, at('healthcheck'));
  for (const k of ['working_dir', 'user', 'hostname', 'domainname', 'container_name', 'stop_signal', 'stop_grace_period', 'mem_limit', 'cpus', 'shm_size', 'pull_policy'] as const) {
    if (r[k] !== undefined) s[k] = str(r[k], at(k));
  }
  for (const k of ['tty', 'stdin_open', 'privileged', 'read_only', 'init'] as const) if (r[k] !== undefined) s[k] = Boolean(r[k]);
  for (const k of ['cap_add', 'cap_drop', 'dns', 'security_opt', 'profiles'] as const) if (r[k] !== undefined) s[k] = strList(r[k], at(k));
  if (r.extra_hosts !== undefined) s.extra_hosts = extraHosts(r.extra_hosts, at('extra_hosts'));
  if (r.scale !== undefined) s.scale = Number(r.scale);
  if (r.pids_limit !== undefined) s.pids_limit = Number(r.pids_limit);
  if (r.ulimits !== undefined) s.ulimits = ulimits(r.ulimits, at('ulimits'));
  if (r.sysctls !== undefined) s.sysctls = keyValues(r.sysctls, at('sysctls'));
  if (r.deploy !== undefined) {
    if (!isObject(r.deploy)) fail(at('deploy'), 'must be a mapping');
    s.deploy = { ...r.deploy } as Service['deploy'];
  }
  if (r.logging !== undefined) {
    if (!isObject(r.logging)) fail(at('logging'), 'must be a mapping');
    s.logging = { ...(r.logging.driver ? { driver: str(r.logging.driver, at('logging.driver')) } : {}), ...(r.logging.options ? { options: keyValues(r.logging.options, at('logging.options')) } : {}) };
  }
  return s;
}

/** The number of containers a service wants: `scale`, else `deploy.replicas`, else 1. */
export function replicas(s: Service): number {
  return s.scale ?? s.deploy?.replicas ?? 1;
}
