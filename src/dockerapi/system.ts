// /_ping, /version, /info, /events and /system/df: what `docker version`, `docker info`, `docker
// events` and `docker system df` read, and the ping every docker CLI call starts with (its API-Version
// header is how the client negotiates the version it speaks).
import os from 'node:os';
import { checkFilterKeys, diskUsage, engineInfo, EVENT_FILTERS, familiarName, followEvents, goArch, statusText } from '../engine/index.js';
import { response, type Ctx } from './context.js';
import { parseFilters, sendJson, unixSeconds } from './http.js';
import type { RouteTable } from './server.js';

async function ping(ctx: Ctx): Promise<void> {
  const res = response(ctx);
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    // The classic builder: POST /build with a tar context (BuildKit's gRPC session is not served).
    'Builder-Version': '1',
  });
  res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

function versionInfo(ctx: Ctx): Record<string, unknown> {
  const { serverVersion, apiVersion, minApiVersion } = ctx.api;
  const details = { Os: 'linux', Arch: goArch(), KernelVersion: os.release(), GoVersion: process.version, GitCommit: '', BuildTime: '' };
  return {
    Platform: { Name: 'skiff' },
    Experimental: false,
    Components: [{ Name: 'Engine', Version: serverVersion, Details: { ApiVersion: apiVersion, MinAPIVersion: minApiVersion, ...details } }],
    Version: serverVersion,
    ApiVersion: apiVersion,
    MinAPIVersion: minApiVersion,
    ...details,
  };
}

async function info(ctx: Ctx): Promise<void> {
  sendJson(response(ctx), 200, {
    ...engineInfo(ctx.api.engine),
    ID: '',
    DriverStatus: [],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['json-file', 'none'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    NEventsListener: 0,
    OSVersion: '',
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: ctx.api.serverVersion,
    Runtimes: { runc: { path: 'runc' } },
    Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'tini',
    SecurityOptions: ['name=seccomp,profile=builtin'],
    Warnings: null,
  });
}

/** docker events: the engine's event log as JSON lines, from --since, followed until --until or the client leaves. */
async function events(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  const query = { since: q.get('since') ?? undefined, until: q.get('until') ?? undefined, filters: parseFilters(q) };
  // Refused before the stream starts, so a bad key is a 400 and not a cut stream.
  checkFilterKeys(query.filters, EVENT_FILTERS);
  const res = response(ctx);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const ac = new AbortController();
  res.once('close', () => ac.abort());
  await followEvents(ctx.api.engine, { ...query, signal: ac.signal }, (e) => {
    res.write(
      JSON.stringify({
        status: e.action,
        id: e.actorId,
        from: e.attributes.image,
        Type: e.type,
        Action: e.action,
        Actor: { ID: e.actorId, Attributes: e.attributes },
        scope: 'local',
        time: Number(e.timeNano / 1000000000n),
        timeNano: Number(e.timeNano),
      }) + '\n',
    );
  });
  res.end();
}

async function systemDf(ctx: Ctx): Promise<void> {
  const { engine, helpers } = ctx.api;
  const du = diskUsage(engine, ctx.api.volumes.list());
  sendJson(response(ctx), 200, {
    LayersSize: du.images.reduce((a, { image }) => a + image.size, 0),
    Images: du.images.map(({ image: i, containers }) => ({ Id: i.id, ParentId: i.parent, RepoTags: i.tags.filter((t) => !t.includes('@')).map(familiarName), RepoDigests: i.tags.filter((t) => t.includes('@')).map(familiarName), Created: unixSeconds(i.created), Size: i.size, SharedSize: -1, VirtualSize: i.size, Labels: i.config.config?.Labels ?? {}, Containers: containers })),
    Containers: du.containers.map(({ container: c, sizeRw }) => ({ Id: c.Id, Names: [c.Name], Image: c.ImageName, ImageID: c.Image, Command: [c.Path, ...c.Args].join(' '), Created: unixSeconds(c.Created), State: c.State.Status, Status: statusText(c), SizeRw: sizeRw, SizeRootFs: 0, Labels: c.Config.Labels, Mounts: [] })),
    Volumes: du.volumes.map(({ volume, refCount, size }) => ({ ...volume, UsageData: { Size: size, RefCount: refCount } })),
    BuildCache: [],
  });
}

export function systemRoutes(router: RouteTable): void {
  router
    .add('GET', '/_ping', { fn: ping })
    .add('GET', '/version', { fn: async (ctx) => sendJson(response(ctx), 200, versionInfo(ctx)) })
    .add('GET', '/info', { fn: info })
    .add('GET', '/events', { fn: events })
    .add('GET', '/system/df', { fn: systemDf });
}
