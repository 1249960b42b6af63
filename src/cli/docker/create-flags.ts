// The flags `create` and `run` share, and their translation into the engine's create options
// (docker's cli/command/container/opts.go, for the flags skiff supports).
import fs from 'node:fs';
import type { CreateOptions, HostConfig, MountSpec, RestartPolicy } from '../../engine/index.js';
import { parseBind } from '../../engine/index.js';
import { parseMountFlag } from '../../engine/volumes/index.js';
import { flagBool, flagInt, flagList, flagString, type FlagSpec, type ParsedFlags } from '../flags.js';
import { CliError, parseMemory } from './common.js';

export const createFlags: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool' },
  { name: 'interactive', short: 'i', kind: 'bool' },
  { name: 'tty', short: 't', kind: 'bool' },
  { name: 'name', kind: 'string' },
  { name: 'rm', kind: 'bool' },
  { name: 'env', short: 'e', kind: 'list' },
  { name: 'env-file', kind: 'list' },
  { name: 'workdir', short: 'w', kind: 'string' },
  { name: 'user', short: 'u', kind: 'string' },
  { name: 'hostname', short: 'h', kind: 'string' },
  { name: 'entrypoint', kind: 'string' },
  { name: 'label', short: 'l', kind: 'list' },
  { name: 'restart', kind: 'string' },
  { name: 'memory', short: 'm', kind: 'string' },
  { name: 'memory-swap', kind: 'string' },
  { name: 'cpus', kind: 'string' },
  { name: 'cpu-shares', short: 'c', kind: 'int' },
  { name: 'pids-limit', kind: 'int' },
  { name: 'read-only', kind: 'bool' },
  { name: 'cap-add', kind: 'list' },
  { name: 'cap-drop', kind: 'list' },
  { name: 'privileged', kind: 'bool' },
  { name: 'init', kind: 'bool' },
  { name: 'stop-signal', kind: 'string' },
  { name: 'stop-timeout', kind: 'int' },
  { name: 'log-driver', kind: 'string' },
  { name: 'log-opt', kind: 'list' },
  { name: 'network', kind: 'string', aliases: ['net'] },
  { name: 'network-alias', kind: 'list', aliases: ['net-alias'] },
  { name: 'ip', kind: 'string' },
  { name: 'volume', short: 'v', kind: 'list' },
  { name: 'tmpfs', kind: 'list' },
  { name: 'mount', kind: 'list' },
  { name: 'volumes-from', kind: 'list' },
  { name: 'publish', short: 'p', kind: 'list' },
  { name: 'publish-all', short: 'P', kind: 'bool' },
  { name: 'expose', kind: 'list' },
  { name: 'add-host', kind: 'list' },
  { name: 'dns', kind: 'list' },
  { name: 'ulimit', kind: 'list' },
  { name: 'shm-size', kind: 'string' },
  { name: 'security-opt', kind: 'list' },
  { name: 'sysctl', kind: 'list' },
  { name: 'oom-score-adj', kind: 'int' },
  { name: 'sig-proxy', kind: 'bool' },
  { name: 'attach', short: 'a', kind: 'list' },
  { name: 'pull', kind: 'string' },
];

function parseRestart(value: string | undefined): RestartPolicy {
  if (!value || value === 'no') return { Name: 'no', MaximumRetryCount: 0 };
  const [name, count] = value.split(':');
  if (name === 'on-failure') {
    if (count !== undefined && !/^\d+$/.test(count)) throw new CliError(`invalid restart policy format: maximum retry count must be an integer`, 125);
    return { Name: 'on-failure', MaximumRetryCount: count ? Number(count) : 0 };
  }
  if (name === 'always' || name === 'unless-stopped') {
    if (count !== undefined) throw new CliError(`invalid restart policy format: maximum retry count cannot be used with restart policy '${name}'`, 125);
    return { Name: name, MaximumRetryCount: 0 };
  }
  throw new CliError(`invalid restart policy format: invalid restart policy '${value}'`, 125);
}

/** docker's --env-file: KEY=VALUE lines, comments and blank lines skipped, a bare KEY takes our env. */
function readEnvFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`open ${file}: no such file or directory`, 125);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/^\s+/, ''))
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.includes('=') ? l : process.env[l] !== undefined ? `${l}=${process.env[l]}` : l));
}

function envFlags(p: ParsedFlags): string[] {
  const out: string[] = [];
  for (const f of flagList(p, 'env-file')) out.push(...readEnvFile(f));
  for (const e of flagList(p, 'env')) {
    if (e.includes('=')) out.push(e);
    else if (process.env[e] !== undefined) out.push(`${e}=${process.env[e]}`);
  }
  return out;
}

function parseUlimit(spec: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(spec);
  if (!m) throw new CliError(`invalid argument "${spec}" for "--ulimit" flag: invalid ulimit argument`, 125);
  return { Name: m[1], Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
}

function parsePorts(specs: string[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const spec of specs) {
    const [addr, proto = 'tcp'] = spec.split('/');
    const parts = addr.split(':');
    const containerPort = parts.pop()!;
    const hostPort = parts.pop() ?? '';
    const hostIp = parts.join(':');
    if (!/^\d+$/.test(containerPort)) throw new CliError(`invalid containerPort: ${containerPort}`, 125);
    (out[`${containerPort}/${proto}`] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
  return out;
}

export function toCreateOptions(p: ParsedFlags, image: string, cmd: string[]): CreateOptions {
  const hostConfig: Partial<HostConfig> = {
    AutoRemove: flagBool(p, 'rm'),
    RestartPolicy: parseRestart(flagString(p, 'restart')),
    Privileged: flagBool(p, 'privileged'),
    ReadonlyRootfs: flagBool(p, 'read-only'),
    CapAdd: flagList(p, 'cap-add').length ? flagList(p, 'cap-add') : null,
    CapDrop: flagList(p, 'cap-drop').length ? flagList(p, 'cap-drop') : null,
    Init: flagBool(p, 'init') || null,
    LogConfig: { Type: flagString(p, 'log-driver') ?? 'json-file', Config: Object.fromEntries(flagList(p, 'log-opt').map((o) => o.split('=', 2) as [string, string])) },
    SecurityOpt: flagList(p, 'security-opt').length ? flagList(p, 'security-opt') : null,
    Sysctls: Object.fromEntries(flagList(p, 'sysctl').map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)])),
    Ulimits: flagList(p, 'ulimit').length ? flagList(p, 'ulimit').map(parseUlimit) : null,
    ExtraHosts: flagList(p, 'add-host').length ? flagList(p, 'add-host') : null,
    Dns: flagList(p, 'dns').length ? flagList(p, 'dns') : null,
    PortBindings: parsePorts(flagList(p, 'publish')),
    Binds: flagList(p, 'volume').length ? flagList(p, 'volume') : null,
  };
  if (hostConfig.AutoRemove && hostConfig.RestartPolicy!.Name !== 'no') {
    throw new CliError('skiff: Conflicting options: --restart and --rm.\nSee \'skiff run --help\'.', 125);
  }
  const logDriver = hostConfig.LogConfig!.Type;
  if (logDriver !== 'json-file' && logDriver !== 'none' && logDriver !== 'k8s-file') {
    throw new CliError(`skiff: Error response from daemon: logger: no log driver named '${logDriver}' is registered.`, 125);
  }
  const network = flagString(p, 'network');
  if (network) hostConfig.NetworkMode = network;
  const aliases = flagList(p, 'network-alias');
  const ip = flagString(p, 'ip');
  if (ip !== undefined && ['', 'default', 'bridge', 'host', 'none'].includes(hostConfig.NetworkMode ?? '')) {
    throw new CliError('skiff: Error response from daemon: user specified IP address is supported on user defined networks only.', 125);
  }
  const memory = flagString(p, 'memory');
  if (memory) hostConfig.Memory = parseMemory(memory);
  const swap = flagString(p, 'memory-swap');
  if (swap) hostConfig.MemorySwap = swap === '-1' ? -1 : parseMemory(swap);
  const cpus = flagString(p, 'cpus');
  if (cpus) {
    if (!/^\d+(\.\d+)?$/.test(cpus)) throw new CliError(`invalid argument "${cpus}" for "--cpus" flag: failed to parse ${cpus} as a rational number`, 125);
    hostConfig.NanoCpus = Math.round(Number(cpus) * 1e9);
  }
  const shares = flagInt(p, 'cpu-shares');
  if (shares !== undefined) hostConfig.CpuShares = shares;
  const pids = flagInt(p, 'pids-limit');
  if (pids !== undefined) hostConfig.PidsLimit = pids;
  const shm = flagString(p, 'shm-size');
  if (shm) hostConfig.ShmSize = parseMemory(shm);
  const oom = flagInt(p, 'oom-score-adj');
  if (oom !== undefined) hostConfig.OomScoreAdj = oom;
  const mounts: MountSpec[] = [];
  // `-v /path` alone is an anonymous volume; named ones are resolved by prepareVolumes (volume.ts).
  for (const v of flagList(p, 'volume')) mounts.push(v.includes(':') ? parseBind(v) : { Type: 'volume', Source: '', Destination: v, RW: true });
  for (const m of flagList(p, 'mount')) mounts.push(parseMountFlag(m));
  for (const t of flagList(p, 'tmpfs')) {
    const [dst, opts] = t.split(':');
    mounts.push({ Type: 'tmpfs', Source: '', Destination: dst, RW: true, Options: opts ? opts.split(',') : [] });
  }
  const entrypoint = flagString(p, 'entrypoint');
  const labels = Object.fromEntries(flagList(p, 'label').map((l) => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
  const interactive = flagBool(p, 'interactive');
  return {
    name: flagString(p, 'name'),
    image,
    config: {
      Hostname: flagString(p, 'hostname') ?? '',
      User: flagString(p, 'user'),
      Env: envFlags(p),
      Cmd: cmd.length ? cmd : undefined,
      Entrypoint: entrypoint === undefined ? undefined : entrypoint === '' ? null : [entrypoint],
      WorkingDir: flagString(p, 'workdir') ?? '',
      Labels: labels,
      Tty: flagBool(p, 'tty'),
      OpenStdin: interactive,
      StdinOnce: interactive && !flagBool(p, 'detach'),
      AttachStdin: interactive && !flagBool(p, 'detach'),
      AttachStdout: !flagBool(p, 'detach'),
      AttachStderr: !flagBool(p, 'detach'),
      StopSignal: flagString(p, 'stop-signal'),
      StopTimeout: flagInt(p, 'stop-timeout'),
    },
    hostConfig,
    mounts,
    extras: aliases.length || ip ? { ...(aliases.length ? { networkAliases: aliases } : {}), ...(ip ? { ipAddress: ip } : {}) } : undefined,
  };
}
