// What every Docker API handler gets: the open engine, the docker-shaped helpers the docker verbs
// already have (injected by the CLI that starts the service, so this folder depends on the engine only),
// and the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Container, CreateOptions, Engine, Image } from '../engine/index.js';
import type { EngineNetworks, NetworkRecord } from '../engine/networks/index.js';
import type { VolumeStore } from '../engine/volumes/index.js';
import type { AttachHub } from './attach-hub.js';
import type { ExecRegistry } from './exec.js';
import type { UpgradedRequest } from './stream.js';

/**
 * The docker-verb helpers the API answers with, so `docker inspect` through the API and `skiff inspect`
 * print the same JSON, and create/rm treat volumes the same way.
 */
export interface VerbHelpers {
  containerJSON(engine: Engine, c: Container, withSize?: boolean): Record<string, unknown>;
  imageJSON(engine: Engine, image: Image): Record<string, unknown>;
  networkJSON(nets: EngineNetworks, n: NetworkRecord): Record<string, unknown>;
  /** Resolves named/anonymous volumes in `opts` and returns the copy-up to run once the container exists. */
  prepareVolumes(engine: Engine, opts: CreateOptions, volumesFrom: string[]): Promise<(c: Container) => Promise<void>>;
  /** Adds a binding for every EXPOSEd port (-P). */
  publishExposed(engine: Engine, opts: CreateOptions, extra: string[]): Promise<void>;
  removeAnonymousVolumes(engine: Engine, c: Container): Promise<void>;
  /** A container's exit handling (record, release, --rm with its anonymous volumes, restart policy). */
  cleanupWithVolumes(engine: Engine, id: string): Promise<void>;
}

export interface Api {
  engine: Engine;
  /** The engine root's networks and volumes (the records `skiff network` / `skiff volume` manage). */
  networks: EngineNetworks;
  volumes: VolumeStore;
  helpers: VerbHelpers;
  /** The newest API version served (what /_ping and /version report) and the oldest accepted. */
  apiVersion: string;
  minApiVersion: string;
  /** skiff's version, reported as the engine's. */
  serverVersion: string;
  attaches: AttachHub;
  execs: ExecRegistry;
  /** Runs started through this server that no next-exit wait has seen yet: id → StartedAt. */
  unclaimedRuns: Map<string, string>;
}

export interface Ctx {
  api: Api;
  req: IncomingMessage;
  /** Absent when the request upgraded (then `upgraded` holds the socket). */
  res?: ServerResponse;
  upgraded?: UpgradedRequest;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client speaks (from the path, else the newest). */
  version: string;
}

export type Handler = (ctx: Ctx) => Promise<void>;

/** The response of a plain (non-hijacking) route. */
export function response(ctx: Ctx): ServerResponse {
  if (!ctx.res) throw new Error(`${ctx.req.url} cannot be answered on an upgraded connection`);
  return ctx.res;
}
