// The classic builder: dispatch each Dockerfile instruction on the current image, probe the cache
// before every step (a locally built child of the current image whose container_config equals the
// step's), commit the result, and print docker's transcript (`Step N/M : …`, ` ---> Using cache`,
// ` ---> Running in …`, ` ---> <id>`, `Successfully built …`, `Successfully tagged …`).
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parse, parseTrigger, expandInstruction, type Dockerfile, type Instruction, type Stage } from '../dockerfile/instructions.js';
import type { BuildBackend, BuilderImage, ImageDoc, RunConfig, Workspace } from './backend.js';
import { copyInto, parseChown, rejectRemote, resolveInRoot, resolveSources, sourceHash, type SourceRoot } from './copy.js';
import type { BuildContext } from './context.js';

/** A build that stopped: the message docker prints and the exit code the CLI returns. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** Refused before any step ran (docker reports these as `Error response from daemon: …`). */
    readonly beforeSteps = false,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export interface BuildOptions {
  context: BuildContext;
  dockerfile: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  target?: string;
  /** Where the transcript goes (RUN output included). */
  out: Writable;
  /** Network mode of RUN containers (docker build --network); default host. */
  network?: string;
}

export interface BuildResult {
  imageId: string;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
const DEFAULT_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Proxy args docker accepts without an ARG; kept out of cache keys unless declared. */
const BUILTIN_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** Go's %q of a []string: ["a" "b"]. */
function goQuote(list: string[] | null | undefined): string {
  return `[${(list ?? []).map((s) => JSON.stringify(s)).join(' ')}]`;
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

function setEnv(env: string[], key: string, value: string): string[] {
  const entry = `${key}=${value}`;
  const i = env.findIndex((e) => envKey(e) === key);
  return i >= 0 ? env.map((e, j) => (j === i ? entry : e)) : [...env, entry];
}

/** nat.ParsePortSpecs for EXPOSE: `80`, `53/udp`, ranges `8000-8002/tcp` expanded to single ports. */
export function exposedPorts(specs: string[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
    const first = Number(m?.[1]);
    const last = m?.[2] === undefined ? first : Number(m[2]);
    if (!m || first > 65535 || last > 65535 || last < first) throw new BuildError(`Invalid containerPort: ${spec}`);
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let port = first; port <= last; port++) out.push(`${port}/${proto}`);
  }
  return out;
}

function sortedKeys(o: Record<string, unknown> | null | undefined): string[] {
  return Object.keys(o ?? {}).sort();
}

/** image/cache/compare.go: the container configs two build steps must share for a cache hit. */
export function sameConfig(a: RunConfig | undefined, b: RunConfig | undefined): boolean {
  if (!a || !b) return false;
  const norm = (c: RunConfig) => JSON.stringify([
    c.Cmd ?? [], c.Entrypoint ?? [], c.Env ?? [], c.Shell ?? [], c.OnBuild ?? [], sortedKeys(c.ExposedPorts), sortedKeys(c.Volumes),
    Object.entries(c.Labels ?? {}).sort(), c.User ?? '', c.WorkingDir ?? '', c.StopSignal ?? '', c.Healthcheck ?? null,
  ]);
  return norm(a) === norm(b);
}

interface StageState {
  image: BuilderImage;
  config: RunConfig;
  author?: string;
  /** CMD was set in this stage, so a later ENTRYPOINT keeps it. */
  cmdSet: boolean;
  /** ARGs declared in this stage and their values. */
  args: Map<string, string | undefined>;
}

const SCRATCH: BuilderImage = { id: '', created: '', doc: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: [DEFAULT_ENV] } } };

export class Builder {
  private readonly out: Writable;
  private readonly cliArgs: Map<string, string>;
  private readonly usedArgs = new Set<string>();
  private readonly metaArgs = new Map<string, string | undefined>();
  private readonly stageImages: BuilderImage[] = [];
  private readonly stageNames = new Map<string, number>();
  private readonly workspaces: Workspace[] = [];
  private escape = '\\';

  constructor(
    private readonly backend: BuildBackend,
    private readonly options: BuildOptions,
  ) {
    this.out = options.out;
    this.cliArgs = new Map(Object.entries(options.buildArgs ?? {}));
  }

  private print(line: string): void {
    this.out.write(`${line}\n`);
  }

  async build(): Promise<BuildResult> {
    let df: Dockerfile;
    try {
      df = parse(this.options.dockerfile);
    } catch (err) {
      throw new BuildError((err as Error).message, 1, true);
    }
    this.escape = df.escapeToken;
    let stages = df.stages;
    if (this.options.target) {
      const ix = stages.findIndex((s) => s.name === this.options.target!.toLowerCase());
      if (ix < 0) throw new BuildError(`failed to reach build target ${this.options.target} in Dockerfile`, 1, true);
      stages = stages.slice(0, ix + 1);
    }
    const total = df.metaArgs.length + stages.reduce((n, s) => n + 1 + s.commands.length, 0);
    let step = 0;
    const announce = (ins: Instruction): void => this.print(`Step ${++step}/${total} : ${ins.original}`);

    for (const meta of df.metaArgs) {
      announce(meta);
      const expanded = this.expand(meta, (name) => this.metaValue(name));
      if (expanded.kind !== 'arg') continue;
      for (const a of expanded.args) {
        this.metaArgs.set(a.key, this.cliArgs.get(a.key) ?? a.value);
        if (this.cliArgs.has(a.key)) this.usedArgs.add(a.key);
      }
    }
    let last: BuilderImage = SCRATCH;
    try {
      for (const stage of stages) {
        announce(stage.from);
        const state = await this.from(stage);
        this.print(` ---> ${shortId(state.image.id)}`);
        for (const ins of stage.commands) {
          announce(ins);
          await this.dispatch(state, ins);
          this.print(` ---> ${shortId(state.image.id)}`);
        }
        this.stageImages.push(state.image);
        if (stage.name) this.stageNames.set(stage.name, stage.index);
        last = state.image;
      }
    } finally {
      for (const w of this.workspaces.splice(0)) await this.backend.removeWorkspace(w).catch(() => undefined);
    }
    if (!last.id) throw new BuildError('No image was generated. Is your Dockerfile empty?');
    const unused = [...this.cliArgs.keys()].filter((k) => !this.usedArgs.has(k) && !BUILTIN_ARGS.has(k));
    if (unused.length) this.print(`[Warning] One or more build-args [${unused.sort().join(' ')}] were not consumed`);
    this.print(`Successfully built ${shortId(last.id)}`);
    for (const tag of this.options.tags ?? []) this.print(`Successfully tagged ${this.backend.tag(last.id, tag)}`);
    return { imageId: last.id };
  }

  private metaValue(name: string): string | undefined {
    return this.metaArgs.get(name);
  }

  private expand(ins: Instruction, lookup: (name: string) => string | undefined): Instruction {
    try {
      return expandInstruction(ins, lookup, this.escape);
    } catch (err) {
      throw new BuildError((err as Error).message);
    }
  }

  /** Build args visible to RUN and to expansion: declared ones with a value, unless ENV overrides. */
  private argEnv(state: StageState, forCacheKey: boolean): string[] {
    const envKeys = new Set((state.config.Env ?? []).map(envKey));
    const out: string[] = [];
    for (const [key, value] of state.args) {
      if (value !== undefined && !envKeys.has(key)) out.push(`${key}=${value}`);
    }
    if (!forCacheKey) {
      for (const [key, value] of this.cliArgs) {
        if (BUILTIN_ARGS.has(key) && !state.args.has(key) && !envKeys.has(key)) out.push(`${key}=${value}`);
      }
    }
    return out;
  }

  private lookup(state: StageState): (name: string) => string | undefined {
    return (name) => {
      for (const e of state.config.Env ?? []) if (envKey(e) === name) return e.slice(name.length + 1);
      if (state.args.has(name)) return state.args.get(name);
      return undefined;
    };
  }

  private async from(stage: Stage): Promise<StageState> {
    const from = this.expand(stage.from, (n) => this.metaValue(n));
    if (from.kind !== 'from') throw new BuildError('internal: FROM expected');
    let image: BuilderImage;
    const named = this.stageNames.get(from.image.toLowerCase());
    if (named !== undefined) image = this.stageImages[named];
    else if (from.image === 'scratch') image = SCRATCH;
    else {
      try {
        image = await this.backend.baseImage(from.image, this.out);
      } catch (err) {
        throw new BuildError((err as Error).message);
      }
    }
    const config: RunConfig = structuredClone(image.doc.config ?? {});
    const state: StageState = { image, config, author: image.doc.author, cmdSet: false, args: new Map() };
    const triggers = config.OnBuild ?? [];
    if (triggers.length > 0) {
      config.OnBuild = null;
      this.print(`# Executing ${triggers.length} build ${triggers.length === 1 ? 'trigger' : 'triggers'}`);
      for (const expression of triggers) {
        let trigger: Instruction;
        try {
          trigger = parseTrigger(expression, this.escape);
        } catch (err) {
          throw new BuildError(`failed to process ONBUILD trigger ${JSON.stringify(expression)}: ${(err as Error).message}`);
        }
        await this.dispatch(state, trigger);
      }
    }
    return state;
  }

  /** The cache key config: the state's config with Cmd replaced by the step's description. */
  private keyConfig(state: StageState, cmd: string[]): RunConfig {
    return { ...structuredClone(state.config), Cmd: cmd };
  }

  private nop(state: StageState, text: string, singleArg = false): string[] {
    const shell = state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
    return singleArg ? [...shell, `#(nop) ${text}`] : [...shell, '#(nop) ', text];
  }

  private probe(state: StageState, key: RunConfig): boolean {
    if (this.options.noCache) return false;
    const hits = this.backend.children(state.image.id).filter((c) => sameConfig(c.doc.container_config, key));
    if (hits.length === 0) return false;
    hits.sort((a, b) => (a.created < b.created ? 1 : -1));
    state.image = hits[0];
    this.print(' ---> Using cache');
    return true;
  }

  /** Commits the step: the new image's config is the state's, its container_config the cache key. */
  private async commit(state: StageState, key: RunConfig, workspace: Workspace | undefined): Promise<void> {
    const parent = state.image;
    const config = structuredClone(state.config);
    let made: ImageDoc | undefined;
    const id = await this.backend.commit(parent.id, workspace, (diffId) => {
      const created = new Date().toISOString();
      const doc: ImageDoc = {
        ...structuredClone(parent.doc),
        created,
        config,
        container_config: key,
        rootfs: { type: 'layers', diff_ids: [...parent.doc.rootfs.diff_ids, ...(diffId ? [diffId] : [])] },
        history: [...(parent.doc.history ?? []), {
          created, created_by: (key.Cmd ?? []).join(' '), ...(diffId ? {} : { empty_layer: true }),
        }],
      };
      if (state.author) doc.author = state.author;
      if (workspace) doc.container = workspace.id;
      else delete doc.container;
      made = doc;
      return doc;
    });
    if (!made) throw new BuildError('internal: the backend committed without asking for the image config');
    state.image = { id, created: made.created ?? new Date().toISOString(), doc: made };
  }

  /** A metadata-only step: cache probe, then an image with the new config and no layer. */
  private async metadata(state: StageState, text: string, singleArg = false): Promise<void> {
    const key = this.keyConfig(state, this.nop(state, text, singleArg));
    if (this.probe(state, key)) return;
    await this.commit(state, key, undefined);
  }

  private async dispatch(state: StageState, raw: Instruction): Promise<void> {
    const ins = this.expand(raw, this.lookup(state));
    const cfg = state.config;
    switch (ins.kind) {
      case 'env': {
        let env = cfg.Env ?? [];
        for (const p of ins.pairs) env = setEnv(env, p.key, p.value);
        cfg.Env = env;
        return this.metadata(state, `ENV ${ins.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
      }
      case 'label':
        cfg.Labels = { ...(cfg.Labels ?? {}) };
        for (const p of ins.pairs) cfg.Labels[p.key] = p.value;
        return this.metadata(state, `LABEL ${ins.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
      case 'maintainer':
        state.author = ins.maintainer;
        return this.metadata(state, `MAINTAINER ${ins.maintainer}`);
      case 'expose':
        cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
        for (const key of exposedPorts(ins.ports)) cfg.ExposedPorts[key] = {};
        return this.metadata(state, `EXPOSE ${ins.ports.join(' ')}`);
      case 'volume':
        cfg.Volumes = { ...(cfg.Volumes ?? {}) };
        for (const v of ins.volumes) cfg.Volumes[v] = {};
        return this.metadata(state, `VOLUME [${ins.volumes.join(' ')}]`);
      case 'user':
        cfg.User = ins.user;
        return this.metadata(state, `USER ${ins.user}`);
      case 'stopsignal':
        if (!/^(SIG)?[A-Z0-9+-]+$/i.test(ins.signal)) throw new BuildError(`Invalid signal: ${ins.signal}`);
        cfg.StopSignal = ins.signal;
        return this.metadata(state, `STOPSIGNAL ${ins.signal}`);
      case 'cmd':
        cfg.Cmd = ins.prependShell ? [...(cfg.Shell?.length ? cfg.Shell : DEFAULT_SHELL), ...ins.cmd] : ins.cmd;
        cfg.ArgsEscaped = true;
        if (ins.cmd.length) state.cmdSet = true;
        return this.metadata(state, `CMD ${goQuote(cfg.Cmd)}`);
      case 'entrypoint':
        cfg.Entrypoint = ins.cmd.length === 0 ? null : ins.prependShell ? [...(cfg.Shell?.length ? cfg.Shell : DEFAULT_SHELL), ...ins.cmd] : ins.cmd;
        if (!state.cmdSet) cfg.Cmd = null;
        return this.metadata(state, `ENTRYPOINT ${goQuote(cfg.Entrypoint)}`);
      case 'shell':
        cfg.Shell = ins.shell;
        return this.metadata(state, `SHELL [${ins.shell.join(' ')}]`);
      case 'healthcheck': {
        const old = (cfg.Healthcheck as { Test?: string[] } | undefined)?.Test;
        if (ins.health.Test[0] !== 'NONE' && old?.length && old[0] !== 'NONE') this.print(`Note: overriding previous HEALTHCHECK: [${old.join(' ')}]`);
        cfg.Healthcheck = JSON.parse(JSON.stringify(ins.health));
        return this.metadata(state, `HEALTHCHECK ${JSON.stringify(cfg.Healthcheck)}`);
      }
      case 'onbuild':
        cfg.OnBuild = [...(cfg.OnBuild ?? []), ins.expression];
        return this.metadata(state, `ONBUILD ${ins.expression}`);
      case 'arg': {
        for (const a of ins.args) {
          let value = a.value;
          if (this.cliArgs.has(a.key)) {
            value = this.cliArgs.get(a.key);
            this.usedArgs.add(a.key);
          } else if (value === undefined && this.metaArgs.has(a.key)) value = this.metaArgs.get(a.key);
          state.args.set(a.key, value);
        }
        return this.metadata(state, `ARG ${ins.args.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(' ')}`);
      }
      case 'workdir': {
        cfg.WorkingDir = path.posix.resolve(cfg.WorkingDir || '/', ins.path);
        const key = this.keyConfig(state, this.nop(state, `WORKDIR ${cfg.WorkingDir}`, true));
        if (this.probe(state, key)) return;
        const dir = cfg.WorkingDir;
        const ws = await this.workspace(state, (rootfs) => fs.mkdirSync(resolveInRoot(rootfs, dir), { recursive: true }));
        await this.commit(state, key, ws);
        return this.dropWorkspace(ws);
      }
      case 'run':
        return this.run(state, ins.cmd, ins.prependShell);
      case 'copy':
      case 'add':
        return this.copy(state, ins);
      case 'from':
        throw new BuildError('internal: FROM inside a stage');
    }
  }

  private async workspace(state: StageState, fill: (rootfs: string) => void): Promise<Workspace> {
    const ws = await this.backend.workspace(state.image.id, fill);
    this.workspaces.push(ws);
    return ws;
  }

  private async dropWorkspace(ws: Workspace): Promise<void> {
    const i = this.workspaces.indexOf(ws);
    if (i >= 0) this.workspaces.splice(i, 1);
    await this.backend.removeWorkspace(ws);
  }

  private async run(state: StageState, args: string[], prependShell: boolean): Promise<void> {
    if (!state.image.id) throw new BuildError('Please provide a source image with `from` prior to run');
    const cmd = prependShell ? [...(state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL), ...args] : args;
    const buildEnv = this.argEnv(state, false);
    const keyEnv = this.argEnv(state, true).sort();
    for (const e of buildEnv) this.usedArgs.add(envKey(e));
    const saveCmd = keyEnv.length ? [`|${keyEnv.length}`, ...keyEnv, ...cmd] : cmd;
    const key = this.keyConfig(state, saveCmd);
    if (this.probe(state, key)) return;
    const { workspace, exitCode } = await this.backend.run(state.image.id, {
      cmd, env: [...(state.config.Env ?? []), ...buildEnv], workingDir: state.config.WorkingDir || '/', user: state.config.User ?? '',
      network: this.options.network || 'host',
      onStart: (id) => this.print(` ---> Running in ${shortId(id)}`),
    }, this.out);
    if (exitCode !== 0) {
      throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${exitCode}`, exitCode);
    }
    this.workspaces.push(workspace);
    await this.commit(state, key, workspace);
    this.print(`Removing intermediate container ${shortId(workspace.id)}`);
    await this.dropWorkspace(workspace);
  }

  private async copy(state: StageState, ins: Extract<Instruction, { kind: 'copy' | 'add' }>): Promise<void> {
    const cmdName = ins.kind === 'copy' ? 'COPY' : 'ADD';
    if (ins.kind === 'add') {
      try {
        rejectRemote(ins.sources);
      } catch (err) {
        throw new BuildError((err as Error).message);
      }
    }
    const from = ins.kind === 'copy' ? ins.from : undefined;
    const withSource = async <T>(fn: (src: SourceRoot) => Promise<T>): Promise<T> => {
      if (!from) return fn(this.options.context);
      let imageId: string;
      const byName = this.stageNames.get(from.toLowerCase());
      if (byName !== undefined) imageId = this.stageImages[byName].id;
      else if (/^\d+$/.test(from)) {
        const stage = this.stageImages[Number(from)];
        if (!stage) throw new BuildError(`invalid from flag value ${from}: stage index out of range`);
        imageId = stage.id;
      } else imageId = (await this.backend.baseImage(from, this.out)).id;
      if (!imageId) return fn({ root: '/nonexistent-scratch', excluded: () => false });
      return this.backend.withRootfs(imageId, (root) => fn({ root, excluded: () => false }));
    };
    const dest = ins.dest.startsWith('/') ? ins.dest : path.posix.join(state.config.WorkingDir || '/', ins.dest) + (ins.dest.endsWith('/') ? '/' : '');
    await withSource(async (src) => {
      let sources;
      let hash: string;
      try {
        sources = resolveSources(src, ins.sources, cmdName);
        hash = sourceHash(src, sources);
      } catch (err) {
        throw new BuildError((err as Error).message);
      }
      const chown = ins.chown ? `--chown=${ins.chown} ` : '';
      const key = this.keyConfig(state, this.nop(state, `${cmdName} ${chown}${hash} in ${ins.dest} `, true));
      if (this.probe(state, key)) return;
      if (ins.chmod && !/^[0-7]{3,4}$/.test(ins.chmod)) throw new BuildError(`invalid chmod parameter: ${ins.chmod}`);
      const mode = ins.chmod ? parseInt(ins.chmod, 8) : undefined;
      let ws: Workspace;
      try {
        ws = await this.workspace(state, (rootfs) => {
          const owner = ins.chown ? parseChown(ins.chown, rootfs) : {};
          copyInto(src, rootfs, sources, dest, cmdName, { ...owner, mode, extractArchives: ins.kind === 'add' });
        });
      } catch (err) {
        throw new BuildError((err as Error).message);
      }
      await this.commit(state, key, ws);
      await this.dropWorkspace(ws);
    });
  }
}

/** Builds an image with docker's classic-builder semantics. */
export async function build(backend: BuildBackend, options: BuildOptions): Promise<BuildResult> {
  return new Builder(backend, options).build();
}
