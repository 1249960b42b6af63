// POST /containers/create: docker's create body (Config with HostConfig and NetworkingConfig inside)
// into the engine's create options. Pure: volumes, -P and the image are resolved by the caller.
import fs from 'node:fs';
import type { CreateOptions, HostConfig, MountSpec, RestartPolicy } from '../engine/index.js';
import { parseBind } from '../engine/index.js';
import { badRequest } from './http.js';

type StrSlice = string[] | string | null | undefined;

interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** The fields of docker's HostConfig that skiff applies; others are accepted and ignored as podman does. */
export interface ApiHostConfig extends Partial<Omit<HostConfig, 'RestartPolicy' | 'LogConfig' | 'Init'>> {
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
  LogConfig?: { Type?: string; Config?: Record<string, string> | null } | null;
  Init?: boolean | null;
  Mounts?: ApiMount[] | null;
  Tmpfs?: Record<string, string> | null;
  VolumesFrom?: string[] | null;
  PublishAllPorts?: boolean;
}

export interface ApiCreateBody {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: StrSlice;
  Entrypoint?: StrSlice;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  HostConfig?: ApiHostConfig | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] | null } | null> | null } | null;
}

/** What the create handler still has to do beyond the engine call. */
export interface CreatePlan {
  opts: CreateOptions;
  volumesFrom: string[];
  /** -P: the image's EXPOSEd ports (and these) get random host ports. */
  publishAll: boolean;
  exposed: string[];
}

function slice(v: StrSlice): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? [v] : v;
}

const LOG_DRIVERS = ['json-file', 'none', 'k8s-file'];
const RESTART_POLICIES = ['', 'no', 'always', 'on-failure', 'unless-stopped'];

/** A restart policy as clients send it (Name '' is no policy), validated with docker's messages. */
export function restartPolicy(p: ApiHostConfig['RestartPolicy']): RestartPolicy {
  const name = p?.Name ?? '';
  if (!RESTART_POLICIES.includes(name)) throw badRequest(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  const count = p?.MaximumRetryCount ?? 0;
  if (count && name !== 'on-failure') throw badRequest(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (count < 0) throw badRequest('invalid restart policy: maximum retry count cannot be negative');
  return { Name: (name || 'no') as RestartPolicy['Name'], MaximumRetryCount: count };
}

function apiMount(m: ApiMount): MountSpec {
  const target = m.Target ?? '';
  if (!target.startsWith('/')) throw badRequest(`invalid mount config for type "${m.Type ?? ''}": invalid mount path: '${target}' mount path must be absolute`);
  switch (m.Type) {
    case 'bind': {
      const source = m.Source ?? '';
      if (!source.startsWith('/')) throw badRequest(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
      const create = m.BindOptions?.CreateMountpoint ?? false;
      if (!create && !fs.existsSync(source)) throw badRequest(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
      return { Type: 'bind', Source: source, Destination: target, RW: !m.ReadOnly, Propagation: m.BindOptions?.Propagation || undefined, CreateHostPath: create };
    }
    case 'volume':
      return { Type: 'volume', Source: '', Name: m.Source || undefined, Destination: target, RW: !m.ReadOnly };
    case 'tmpfs': {
      const options: string[] = [];
      if (m.TmpfsOptions?.SizeBytes) options.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) options.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      return { Type: 'tmpfs', Source: '', Destination: target, RW: !m.ReadOnly, Options: options };
    }
    default:
      throw badRequest(`invalid mount config: mount type unknown: "${m.Type ?? ''}"`);
  }
}

function mountsOf(body: ApiCreateBody, hc: ApiHostConfig): MountSpec[] {
  const mounts: MountSpec[] = [];
  for (const spec of hc.Binds ?? []) {
    try {
      mounts.push(parseBind(spec));
    } catch (err) {
      throw badRequest((err as Error).message);
    }
  }
  for (const m of hc.Mounts ?? []) mounts.push(apiMount(m));
  for (const [dst, opts] of Object.entries(hc.Tmpfs ?? {})) mounts.push({ Type: 'tmpfs', Source: '', Destination: dst, RW: true, Options: opts ? opts.split(',') : [] });
  // Config.Volumes are anonymous volumes unless a bind or mount already covers the path (docker's `-v /path`).
  for (const dst of Object.keys(body.Volumes ?? {})) {
    if (!mounts.some((m) => m.Destination === dst)) mounts.push({ Type: 'volume', Source: '', Destination: dst, RW: true });
  }
  return mounts;
}

/** Copies only the settings the client gave, so the engine's defaults (e.g. 64 MB /dev/shm) stay for the rest. */
function hostConfigOf(hc: ApiHostConfig): Partial<HostConfig> {
  const out: Partial<HostConfig> = { RestartPolicy: restartPolicy(hc.RestartPolicy), AutoRemove: hc.AutoRemove ?? false };
  if (hc.AutoRemove && out.RestartPolicy!.Name !== 'no') throw badRequest('conflicting options: cannot specify both --restart and --rm');
  const logType = hc.LogConfig?.Type || 'json-file';
  if (!LOG_DRIVERS.includes(logType)) throw badRequest(`logger: no log driver named '${logType}' is registered`);
  out.LogConfig = { Type: logType, Config: hc.LogConfig?.Config ?? {} };
  if (hc.NetworkMode && hc.NetworkMode !== 'default') out.NetworkMode = hc.NetworkMode;
  if (hc.Privileged) out.Privileged = true;
  if (hc.ReadonlyRootfs) out.ReadonlyRootfs = true;
  if (hc.Init) out.Init = true;
  const lists = ['CapAdd', 'CapDrop', 'SecurityOpt', 'ExtraHosts', 'Dns', 'Binds', 'GroupAdd'] as const;
  for (const k of lists) if (hc[k]?.length) out[k] = hc[k];
  const numbers = ['Memory', 'MemorySwap', 'NanoCpus', 'CpuShares', 'CpuQuota', 'CpuPeriod', 'ShmSize', 'OomScoreAdj'] as const;
  for (const k of numbers) if (hc[k]) out[k] = hc[k];
  if (hc.PidsLimit && hc.PidsLimit > 0) out.PidsLimit = hc.PidsLimit;
  if (hc.Ulimits?.length) out.Ulimits = hc.Ulimits;
  if (hc.Sysctls && Object.keys(hc.Sysctls).length) out.Sysctls = hc.Sysctls;
  if (hc.PortBindings && Object.keys(hc.PortBindings).length) {
    out.PortBindings = Object.fromEntries(Object.entries(hc.PortBindings).map(([port, b]) => [port.includes('/') ? port : `${port}/tcp`, (b ?? []).map((x) => ({ HostIp: x.HostIp ?? '', HostPort: x.HostPort ?? '' }))]));
  }
  return out;
}

export function createPlan(body: ApiCreateBody, name: string | undefined): CreatePlan {
  if (!body.Image) throw badRequest('No image specified');
  const hc = body.HostConfig ?? {};
  const entrypoint = slice(body.Entrypoint);
  const hostConfig = hostConfigOf(hc);
  const network = hostConfig.NetworkMode ?? 'bridge';
  const aliases = body.NetworkingConfig?.EndpointsConfig?.[network]?.Aliases ?? [];
  return {
    opts: {
      name: name || undefined,
      image: body.Image,
      config: {
        Hostname: body.Hostname ?? '',
        Domainname: body.Domainname ?? '',
        User: body.User || undefined,
        Env: body.Env ?? [],
        Cmd: slice(body.Cmd),
        // `--entrypoint ""` arrives as [""]: no entrypoint, and the image's Cmd is dropped too.
        Entrypoint: entrypoint === undefined ? undefined : entrypoint.length === 0 || (entrypoint.length === 1 && entrypoint[0] === '') ? null : entrypoint,
        WorkingDir: body.WorkingDir ?? '',
        Labels: body.Labels ?? {},
        Tty: body.Tty ?? false,
        OpenStdin: body.OpenStdin ?? false,
        StdinOnce: body.StdinOnce ?? false,
        AttachStdin: body.AttachStdin ?? false,
        AttachStdout: body.AttachStdout ?? false,
        AttachStderr: body.AttachStderr ?? false,
        StopSignal: body.StopSignal || undefined,
        StopTimeout: body.StopTimeout ?? undefined,
      },
      hostConfig,
      mounts: mountsOf(body, hc),
      extras: aliases?.length ? { networkAliases: aliases } : undefined,
    },
    volumesFrom: hc.VolumesFrom ?? [],
    publishAll: hc.PublishAllPorts ?? false,
    exposed: Object.keys(body.ExposedPorts ?? {}),
  };
}
