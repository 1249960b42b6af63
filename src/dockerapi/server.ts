// The Docker Engine API server (`skiff system service`): HTTP over a unix socket on one open engine,
// the same engine root the docker verbs use, so containers made either way are the same containers.
// Plain routes answer JSON; attach and exec start hijack the connection (see stream.ts).
import fs from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { skiffVersion, type Engine } from '../engine/index.js';
import { EngineNetworks } from '../engine/networks/index.js';
import { VolumeStore } from '../engine/volumes/index.js';
import { AttachHub } from './attach-hub.js';
import { buildRoutes } from './build.js';
import type { Api, Ctx, Handler, VerbHelpers } from './context.js';
import { containerRoutes } from './containers.js';
import { ExecRegistry, execRoutes } from './exec.js';
import { ApiError, sendError, statusOf } from './http.js';
import { imageRoutes } from './images.js';
import { networkRoutes } from './networks.js';
import { compareVersions, Router } from './router.js';
import { UpgradedRequest } from './stream.js';
import { systemRoutes } from './system.js';
import { volumeRoutes } from './volumes.js';

/** The newest API version served; docker 28's CLI negotiates down to it through /_ping. */
export const API_VERSION = '1.43';
/** The oldest version clients may pin (docker's daemon: 1.24). */
export const MIN_API_VERSION = '1.24';

export interface Route {
  fn: Handler;
  /** Attach and exec start: the connection is handed over as a raw stream. */
  hijack?: boolean;
}

export type RouteTable = Router<Route>;

export interface DockerApiOptions {
  engine: Engine;
  helpers: VerbHelpers;
  /** The version reported as the engine's; skiff's own (skiffVersion) unless told. */
  serverVersion?: string;
  /** unix socket path to listen on. */
  socket: string;
  /** Stop after this many seconds without a request or open stream (podman's --time); 0 = never. */
  idleTimeoutSec?: number;
  /** Called once the service stops by itself (idle timeout). */
  onIdle?: () => void;
}

export interface DockerApiServer {
  socket: string;
  close(): Promise<void>;
}

function buildRouter(): RouteTable {
  const router = new Router<Route>();
  systemRoutes(router);
  imageRoutes(router);
  containerRoutes(router);
  execRoutes(router);
  networkRoutes(router);
  volumeRoutes(router);
  buildRoutes(router);
  return router;
}

/** Removes a socket file left by a service that is gone, refusing to steal one that still answers. */
async function claimSocket(socket: string): Promise<void> {
  if (!fs.existsSync(socket)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
  if (alive) throw new Error(`${socket} is in use by a running service`);
  fs.rmSync(socket, { force: true });
}

export async function startDockerApi(o: DockerApiOptions): Promise<DockerApiServer> {
  const networks = new EngineNetworks(o.engine.paths.root);
  const api: Api = { engine: o.engine, networks, volumes: new VolumeStore(o.engine.paths.root), helpers: o.helpers, apiVersion: API_VERSION, minApiVersion: MIN_API_VERSION, serverVersion: o.serverVersion ?? skiffVersion(), attaches: new AttachHub(), execs: new ExecRegistry(), unclaimedRuns: new Map() };
  const router = buildRouter();
  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = (o.idleTimeoutSec ?? 0) * 1000;
  const busy = (): void => {
    active++;
    if (idleTimer) clearTimeout(idleTimer);
  };
  const done = (): void => {
    active--;
    if (idleMs > 0 && active === 0) {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => o.onIdle?.(), idleMs);
    }
  };

  const dispatch = async (req: http.IncomingMessage, res: http.ServerResponse | undefined, upgraded: UpgradedRequest | undefined): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const { found, pathMatched } = router.match(req.method ?? 'GET', url.pathname);
    const fail = (err: unknown): void => (upgraded ? upgraded.fail(err) : sendError(res!, err));
    if (!found) {
      fail(pathMatched ? new ApiError(405, 'method not allowed') : new ApiError(404, 'page not found'));
      return;
    }
    const version = found.version ?? API_VERSION;
    if (found.version && compareVersions(found.version, API_VERSION) > 0) {
      fail(new ApiError(400, `client version ${found.version} is too new. Maximum supported API version is ${API_VERSION}`));
      return;
    }
    if (found.version && compareVersions(found.version, MIN_API_VERSION) < 0) {
      fail(new ApiError(400, `client version ${found.version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`));
      return;
    }
    if (upgraded && !found.handler.hijack) {
      fail(new ApiError(400, `${url.pathname} does not upgrade connections`));
      return;
    }
    const ctx: Ctx = { api, req, res, upgraded, params: found.params, query: url.searchParams, version };
    try {
      await found.handler.fn(ctx);
    } catch (err) {
      // Client mistakes (4xx) are the client's to read; a 500 is ours, so it goes to the service log too.
      if (statusOf(err) >= 500) {
        process.stderr.write(`skiff system service: ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}\n`);
      }
      fail(err);
    }
  };

  const server = http.createServer((req, res) => {
    busy();
    res.setHeader('Api-Version', API_VERSION);
    res.setHeader('Server', `skiff (linux)`);
    res.setHeader('Docker-Experimental', 'false');
    res.setHeader('Ostype', 'linux');
    void dispatch(req, res, undefined).finally(done);
  });
  // Hijacked sockets leave the server's bookkeeping: close() ends them itself.
  const hijacked = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    busy();
    hijacked.add(socket);
    socket.once('close', () => hijacked.delete(socket));
    socket.on('error', () => undefined);
    void dispatch(req, undefined, new UpgradedRequest(req, socket, head)).finally(done);
  });
  // Streams (logs -f, attach, events) stay open as long as clients want them.
  server.requestTimeout = 0;
  server.headersTimeout = 60000;
  server.keepAliveTimeout = 60000;

  await claimSocket(o.socket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (idleMs > 0) idleTimer = setTimeout(() => o.onIdle?.(), idleMs);
  return {
    socket: o.socket,
    close: async () => {
      if (idleTimer) clearTimeout(idleTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of hijacked) s.destroy();
      });
      fs.rmSync(o.socket, { force: true });
      networks.close();
    },
  };
}
