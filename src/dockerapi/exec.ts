// Exec instances: POST /containers/{id}/exec records one, POST /exec/{id}/start runs it (hijacked
// stdio, or detached), /exec/{id}/resize resizes its pty, GET /exec/{id}/json reports Running and
// ExitCode (docker's CLI reads the exit code there once the stream ends). Instances live in memory,
// as in docker's daemon.
import crypto from 'node:crypto';
import { execStream, type ExecSession } from '../engine/index.js';
import { response, type Ctx } from './context.js';
import { conflict, notFound, parseJson, readJson, sendEmpty, sendJson, intParam } from './http.js';
import type { RouteTable } from './server.js';
import { pipeInput } from './attach-hub.js';
import { frame, outputWriters, streamResponse, streamType, type Hijacked } from './stream.js';

interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
  ConsoleSize?: [number, number] | null;
}

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  session?: ExecSession;
}

/** Finished instances are forgotten after this long (docker keeps them until the container goes). */
const KEEP_MS = 10 * 60 * 1000;

export class ExecRegistry {
  private readonly instances = new Map<string, ExecInstance>();

  add(containerId: string, config: ExecConfig): ExecInstance {
    const e: ExecInstance = { id: crypto.randomBytes(32).toString('hex'), containerId, config, running: false, exitCode: null, pid: 0 };
    this.instances.set(e.id, e);
    return e;
  }

  get(id: string): ExecInstance {
    const e = this.instances.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  finished(e: ExecInstance, code: number): void {
    e.running = false;
    e.exitCode = code;
    e.session = undefined;
    setTimeout(() => this.instances.delete(e.id), KEEP_MS).unref();
  }
}

async function create(ctx: Ctx): Promise<void> {
  const { engine, execs } = ctx.api;
  const config = await readJson<ExecConfig>(ctx.req);
  const c = engine.containers.get(ctx.params.id);
  if (!config.Cmd?.length) throw conflict('No exec command specified');
  if (!c.State.Running) throw conflict(`container ${c.Id} is not running`);
  if (c.State.Paused) throw conflict(`Container ${c.Id} is paused, unpause the container before exec`);
  sendJson(response(ctx), 201, { Id: execs.add(c.Id, config).id });
}

/** Runs the instance; its output goes to `h` (or nowhere when detached) and its exit code is recorded. */
async function run(ctx: Ctx, e: ExecInstance, h: Hijacked | undefined, tty: boolean): Promise<void> {
  const { engine, execs } = ctx.api;
  const cfg = e.config;
  const out = h ? outputWriters(h.output, tty) : undefined;
  let session: ExecSession;
  try {
    session = await execStream(
      engine.containers,
      e.containerId,
      { cmd: cfg.Cmd ?? [], env: cfg.Env ?? [], user: cfg.User || undefined, workdir: cfg.WorkingDir || undefined, tty, privileged: cfg.Privileged, stdin: !!h && !!cfg.AttachStdin },
      { stdout: cfg.AttachStdout ? out?.stdout : undefined, stderr: cfg.AttachStderr ? out?.stderr : undefined },
    );
  } catch (err) {
    // runc could not start the process: docker's 127 for a missing command, 126 otherwise.
    const message = err instanceof Error ? err.message : String(err);
    execs.finished(e, /not found|no such file/.test(message) ? 127 : 126);
    throw new Error(`OCI runtime exec failed: ${message}: unknown`);
  }
  if (h && cfg.AttachStdin) pipeInput(h.input, session.attach, tty);
  e.running = true;
  e.pid = session.pid;
  e.session = session;
  if (tty && cfg.ConsoleSize?.[0]) session.resize(cfg.ConsoleSize[0], cfg.ConsoleSize[1]);
  const code = await session.exit;
  execs.finished(e, code);
}

async function start(ctx: Ctx): Promise<void> {
  const { engine, execs } = ctx.api;
  const e = execs.get(ctx.params.id);
  const body = ctx.upgraded ? parseJson<{ Detach?: boolean; Tty?: boolean }>(await ctx.upgraded.body()) : await readJson<{ Detach?: boolean; Tty?: boolean }>(ctx.req);
  if (e.running || e.exitCode !== null) throw conflict(`Error: Exec command ${e.id} has already run`);
  const c = engine.containers.get(e.containerId);
  if (!c.State.Running) throw conflict(`container ${c.Id} is not running`);
  const tty = body.Tty ?? e.config.Tty ?? false;
  if (body.Detach) {
    e.running = true;
    void run(ctx, e, undefined, tty).catch(() => undefined);
    sendEmpty(response(ctx), 200);
    return;
  }
  const type = streamType(ctx.version, tty);
  const h = ctx.upgraded ? ctx.upgraded.upgrade(type) : streamResponse(ctx.req, response(ctx), type);
  try {
    await run(ctx, e, h, tty);
  } catch (err) {
    const text = `${err instanceof Error ? err.message : String(err)}\r\n`;
    // The stream is open already: the failure reaches the client as the process's stderr.
    h.output.write(tty ? Buffer.from(text) : frame(2, Buffer.from(text)));
  } finally {
    h.end();
  }
}

async function resize(ctx: Ctx): Promise<void> {
  const e = ctx.api.execs.get(ctx.params.id);
  const h = intParam(ctx.query, 'h') ?? 0;
  const w = intParam(ctx.query, 'w') ?? 0;
  e.session?.resize(h, w);
  sendEmpty(response(ctx), 200);
}

async function inspect(ctx: Ctx): Promise<void> {
  const e = ctx.api.execs.get(ctx.params.id);
  const cfg = e.config;
  const [entrypoint, ...args] = cfg.Cmd ?? [];
  sendJson(response(ctx), 200, {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: { tty: cfg.Tty ?? false, entrypoint, arguments: args, privileged: cfg.Privileged ?? false, user: cfg.User ?? '' },
    OpenStdin: cfg.AttachStdin ?? false,
    OpenStderr: cfg.AttachStderr ?? false,
    OpenStdout: cfg.AttachStdout ?? false,
    CanRemove: !e.running && e.exitCode !== null,
    ContainerID: e.containerId,
    DetachKeys: '',
    Pid: e.pid,
  });
}

export function execRoutes(router: RouteTable): void {
  router
    .add('POST', '/containers/:id/exec', { fn: create })
    .add('POST', '/exec/:id/start', { fn: start, hijack: true })
    .add('POST', '/exec/:id/resize', { fn: resize })
    .add('GET', '/exec/:id/json', { fn: inspect });
}
