// docker compose: the global flags (-f, -p, --project-directory, --env-file, --profile), one parser per
// subcommand, and the host the project runner drives — containers are created through the same
// create-flag parsing and volume preparation as `run`, images come from the `pull` and `build` verbs.
import crypto from 'node:crypto';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { humanDuration, statusText, type Container, type Engine } from '../../engine/index.js';
import type { ComposeHost, Project, Service } from '../../compose/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagInt, flagList, flagString, parseFlags, type FlagSpec, type ParsedFlags } from '../flags.js';
import { CliError, humanSize, openEngine, renderFormat, shortId, tabular } from './common.js';
import { createFlags, toCreateOptions } from './create-flags.js';
import { verbs } from './index.js';
import { commandText, portsText } from './ps.js';

const globalFlags: FlagSpec[] = [
  { name: 'file', short: 'f', kind: 'list' },
  { name: 'project-name', short: 'p', kind: 'string' },
  { name: 'project-directory', kind: 'string' },
  { name: 'env-file', kind: 'list' },
  { name: 'profile', kind: 'list' },
  { name: 'ansi', kind: 'string' },
  { name: 'progress', kind: 'string' },
  { name: 'parallel', kind: 'int' },
  { name: 'compatibility', kind: 'bool' },
  { name: 'dry-run', kind: 'bool' },
];

type Compose = typeof import('../../compose/index.js');

interface Ctx {
  compose: Compose;
  globals: GlobalOptions;
  top: ParsedFlags;
  engine: Engine;
  host: ComposeHost;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function makeHost(globals: GlobalOptions): Promise<{ engine: Engine; host: ComposeHost }> {
  const engine = await openEngine(globals);
  const { EngineNetworks } = await import('../../engine/networks/index.js');
  const { VolumeStore } = await import('../../engine/volumes/index.js');
  const { prepareVolumes, removeAnonymousVolumes } = await import('./volume.js');
  const viaVerb = async (verb: string, args: string[], what: string): Promise<void> => {
    const code = await (await verbs[verb]())(args, globals);
    if (code !== 0) throw new CliError(`failed to ${what}`, code);
  };
  const host: ComposeHost = {
    engine,
    networks: new EngineNetworks(globals.root),
    volumes: new VolumeStore(globals.root),
    createContainer: async (args) => {
      const flags = parseFlags(args, createFlags, { stopAtPositional: true });
      const [image, ...cmd] = flags.positionals;
      const opts = toCreateOptions(flags, image, cmd);
      const copyUp = await prepareVolumes(engine, opts);
      const c = await engine.containers.create(opts);
      await copyUp(c);
      return c;
    },
    removeAnonymousVolumes: (c) => removeAnonymousVolumes(engine, c),
    pull: (image) => viaVerb('pull', [image], `pull ${image}`),
    build: async (s, tag) => {
      const b = s.build!;
      progress(` Service ${s.name}  Building`);
      await viaVerb('build', ['-t', tag, ...(b.dockerfile ? ['-f', path.resolve(b.context, b.dockerfile)] : []), ...(b.target ? ['--target', b.target] : []), ...Object.entries(b.args ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), b.context], `build service ${s.name}`);
      progress(` Service ${s.name}  Built`);
    },
    progress,
  };
  return { engine, host };
}

async function loadFrom(ctx: Ctx): Promise<Project> {
  return ctx.compose.loadProject({
    files: flagList(ctx.top, 'file'),
    projectName: flagString(ctx.top, 'project-name'),
    projectDirectory: flagString(ctx.top, 'project-directory'),
    envFiles: flagList(ctx.top, 'env-file'),
    profiles: flagList(ctx.top, 'profile'),
    warn: (m) => process.stderr.write(`WARN[0000] ${m}\n`),
  });
}

/**
 * The project for verbs that also work from labels alone (down, ps, stop, …): with `-p` and no compose
 * file, docker compose acts on the containers that carry the project's label.
 */
async function loadOrName(ctx: Ctx): Promise<Project> {
  try {
    return await loadFrom(ctx);
  } catch (err) {
    const name = flagString(ctx.top, 'project-name');
    if (!name || !(err instanceof ctx.compose.ComposeError) || !/no configuration file provided/.test(err.message)) throw err;
    const services: Record<string, Service> = {};
    for (const c of ctx.compose.projectContainers(ctx.engine, name, { oneoff: true })) services[ctx.compose.serviceOf(c)] ??= { name: ctx.compose.serviceOf(c), image: c.ImageName };
    return { name, workingDir: process.cwd(), configFiles: [], services, networks: {}, volumes: {}, disabled: {} };
  }
}

/** `vote-web-1` → `web-1`: the log prefix docker compose v2 prints. */
function shortName(p: Project, c: Container): string {
  const name = c.Name.slice(1);
  return name.startsWith(`${p.name}-`) ? name.slice(p.name.length + 1) : name;
}

async function followLogs(ctx: Ctx, p: Project, containers: Container[], o: { follow: boolean; tail?: number; sinceNano?: bigint; timestamps?: boolean; prefix?: boolean; signal?: AbortSignal; onExit?: (c: Container) => void }): Promise<void> {
  const { formatTimeNano } = await import('../../engine/index.js');
  const width = Math.max(0, ...containers.map((c) => shortName(p, c).length));
  await ctx.compose.readProjectLogs(ctx.engine, containers, { follow: o.follow, tail: o.tail, sinceNano: o.sinceNano, signal: o.signal }, (l) => {
    const text = l.data.toString().replace(/\n$/, '');
    const stamp = o.timestamps ? `${formatTimeNano(l.timeNano)} ` : '';
    const prefix = o.prefix === false ? '' : `${shortName(p, l.container).padEnd(width)}  | `;
    process.stdout.write(text.split('\n').map((line) => `${prefix}${stamp}${line}\n`).join(''));
  }, o.onExit);
}

async function upVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [
    { name: 'detach', short: 'd', kind: 'bool' },
    { name: 'build', kind: 'bool' },
    { name: 'no-build', kind: 'bool' },
    { name: 'force-recreate', kind: 'bool' },
    { name: 'no-recreate', kind: 'bool' },
    { name: 'no-start', kind: 'bool' },
    { name: 'no-deps', kind: 'bool' },
    { name: 'remove-orphans', kind: 'bool' },
    { name: 'scale', kind: 'list' },
    { name: 'abort-on-container-exit', kind: 'bool' },
    { name: 'no-color', kind: 'bool' },
    { name: 'no-log-prefix', kind: 'bool' },
    { name: 'quiet-pull', kind: 'bool' },
    { name: 'wait', kind: 'bool' },
    { name: 'timeout', short: 't', kind: 'int' },
    { name: 'pull', kind: 'string' },
  ]);
  const p = await loadFrom(ctx);
  // A foreground up attaches: it shows what the containers print from now on, not their history.
  const since = BigInt(Date.now()) * 1000000n;
  for (const s of flagList(f, 'scale')) {
    const [name, n] = s.split('=');
    ctx.compose.checkServices(p, [name]);
    if (!/^\d+$/.test(n ?? '')) throw new CliError(`invalid --scale value ${JSON.stringify(s)}: expected SERVICE=NUM`, 1);
    p.services[name].scale = Number(n);
  }
  const containers = await ctx.compose.up(ctx.host, p, {
    services: f.positionals,
    build: flagBool(f, 'build'),
    forceRecreate: flagBool(f, 'force-recreate'),
    noRecreate: flagBool(f, 'no-recreate'),
    noStart: flagBool(f, 'no-start'),
    removeOrphans: flagBool(f, 'remove-orphans'),
    wait: flagBool(f, 'wait'),
  });
  if (flagBool(f, 'detach') || flagBool(f, 'no-start') || flagBool(f, 'wait')) return 0;
  // Foreground: prefixed logs until every container has exited. Ctrl-C stops them all (their last
  // words and exit codes still show), a second Ctrl-C kills them.
  process.stdout.write(`Attaching to ${containers.map((c) => shortName(p, c)).join(', ')}\n`);
  let stopping: Promise<void> | undefined;
  let code = 0;
  const stopAll = (): void => {
    stopping ??= ctx.compose.stop(ctx.host, p, f.positionals, flagInt(f, 'timeout'));
  };
  const onSignal = (): void => {
    if (stopping) {
      void ctx.compose.kill(ctx.host, p, f.positionals).finally(() => process.exit(130));
      return;
    }
    code = 130;
    process.stdout.write('Gracefully stopping... (press Ctrl+C again to force)\n');
    stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await followLogs(ctx, p, containers, {
    follow: true,
    sinceNano: since,
    prefix: !flagBool(f, 'no-log-prefix'),
    onExit: (c) => {
      process.stdout.write(`${shortName(p, c)} exited with code ${c.State.ExitCode}\n`);
      if (flagBool(f, 'abort-on-container-exit') && !stopping) {
        code = c.State.ExitCode;
        process.stdout.write('Aborting on container exit...\n');
        stopAll();
      }
    },
  });
  await stopping;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}

async function downVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [
    { name: 'volumes', short: 'v', kind: 'bool' },
    { name: 'rmi', kind: 'string' },
    { name: 'remove-orphans', kind: 'bool' },
    { name: 'timeout', short: 't', kind: 'int' },
  ]);
  const rmi = flagString(f, 'rmi');
  if (rmi !== undefined && rmi !== 'all' && rmi !== 'local') throw new CliError(`invalid value for --rmi: ${rmi}`, 1);
  const p = await loadOrName(ctx);
  await ctx.compose.down(ctx.host, p, { volumes: flagBool(f, 'volumes'), removeOrphans: flagBool(f, 'remove-orphans') });
  // --rmi local: only the images compose named itself (services that build and name no image)
  const images = Object.values(p.services).filter((s) => rmi === 'all' || (rmi === 'local' && s.build && !s.image)).map((s) => ctx.compose.imageName(p, s));
  for (const image of new Set(images)) {
    if (!ctx.engine.images.lookup(image)) continue;
    ctx.engine.images.remove(image, false, (id) => ctx.engine.containers.usersOf(id));
    progress(` Image ${image}  Removed`);
  }
  return 0;
}

function psItems(ctx: Ctx, containers: Container[]): Array<Record<string, string>> {
  return containers.map((c) => ({
    ID: shortId(c.Id),
    Name: c.Name.slice(1),
    Image: c.ImageName,
    Command: commandText(c, true),
    Service: ctx.compose.serviceOf(c),
    CreatedAt: `${humanDuration(Date.now() - Date.parse(c.Created))} ago`,
    Status: statusText(c),
    State: c.State.Status,
    Ports: portsText(c),
    Project: c.Config.Labels[ctx.compose.LABEL.project] ?? '',
  }));
}

async function psVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'services', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'status', kind: 'list' },
    { name: 'filter', kind: 'list' },
    { name: 'no-trunc', kind: 'bool' },
  ]);
  const p = await loadOrName(ctx);
  ctx.compose.checkServices(p, f.positionals);
  const statuses = [...flagList(f, 'status'), ...flagList(f, 'filter').filter((x) => x.startsWith('status=')).map((x) => x.slice('status='.length))];
  const list = ctx.compose
    .projectContainers(ctx.engine, p.name, { services: f.positionals, oneoff: true })
    .filter((c) => (statuses.length ? statuses.includes(c.State.Status) : flagBool(f, 'all') || c.State.Running));
  if (flagBool(f, 'services')) {
    process.stdout.write([...new Set(list.map((c) => ctx.compose.serviceOf(c)))].map((s) => `${s}\n`).join(''));
    return 0;
  }
  if (flagBool(f, 'quiet')) {
    process.stdout.write(list.map((c) => `${c.Id}\n`).join(''));
    return 0;
  }
  const format = flagString(f, 'format') ?? 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.CreatedAt}}\t{{.Status}}\t{{.Ports}}';
  const headers = { ID: 'CONTAINER ID', Name: 'NAME', Image: 'IMAGE', Command: 'COMMAND', Service: 'SERVICE', CreatedAt: 'CREATED', Status: 'STATUS', State: 'STATE', Ports: 'PORTS', Project: 'PROJECT' };
  process.stdout.write(renderFormat(format, headers, psItems(ctx, list)));
  return 0;
}

const timeoutFlag: FlagSpec = { name: 'timeout', short: 't', kind: 'int' };

async function lifecycleVerb(ctx: Ctx, verb: 'start' | 'stop' | 'restart' | 'kill' | 'pause' | 'unpause', argv: string[]): Promise<number> {
  const f = parseFlags(argv, [timeoutFlag, { name: 'signal', short: 's', kind: 'string' }, { name: 'no-deps', kind: 'bool' }]);
  const p = await loadOrName(ctx);
  const c = ctx.compose;
  if (verb === 'start') await c.start(ctx.host, p, f.positionals);
  else if (verb === 'stop') await c.stop(ctx.host, p, f.positionals, flagInt(f, 'timeout'));
  else if (verb === 'restart') await c.restart(ctx.host, p, f.positionals, flagInt(f, 'timeout'));
  else if (verb === 'kill') await c.kill(ctx.host, p, f.positionals, flagString(f, 'signal') ?? 'KILL');
  else {
    c.checkServices(p, f.positionals);
    for (const x of c.projectContainers(ctx.engine, p.name, { services: f.positionals })) {
      if (verb === 'pause' ? !x.State.Running || x.State.Paused : !x.State.Paused) continue;
      await (verb === 'pause' ? ctx.engine.containers.pause(x.Id) : ctx.engine.containers.unpause(x.Id));
      progress(` Container ${x.Name.slice(1)}  ${verb === 'pause' ? 'Paused' : 'Unpaused'}`);
    }
  }
  return 0;
}

async function logsVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [
    { name: 'follow', short: 'f', kind: 'bool' },
    { name: 'tail', short: 'n', kind: 'string' },
    { name: 'timestamps', short: 't', kind: 'bool' },
    { name: 'no-color', kind: 'bool' },
    { name: 'no-log-prefix', kind: 'bool' },
    { name: 'index', kind: 'int' },
  ]);
  const p = await loadOrName(ctx);
  ctx.compose.checkServices(p, f.positionals);
  const tail = flagString(f, 'tail');
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const index = flagInt(f, 'index');
  const containers = ctx.compose.projectContainers(ctx.engine, p.name, { services: f.positionals }).filter((c) => index === undefined || ctx.compose.containerNumber(c) === index);
  await followLogs(ctx, p, containers, {
    follow: flagBool(f, 'follow'),
    tail: tail === undefined || tail === 'all' || !/^\d+$/.test(tail) ? undefined : Number(tail),
    timestamps: flagBool(f, 'timestamps'),
    prefix: !flagBool(f, 'no-log-prefix'),
    signal: ac.signal,
  });
  return 0;
}

/** The running container of a service that exec/top/port address (`--index`, default 1). */
function serviceContainer(ctx: Ctx, p: Project, service: string | undefined, index = 1): Container {
  if (!service) throw new CliError('requires at least 1 argument', 1);
  ctx.compose.checkServices(p, [service]);
  const c = ctx.compose.projectContainers(ctx.engine, p.name, { services: [service] }).find((x) => ctx.compose.containerNumber(x) === index);
  if (!c || !c.State.Running) throw new CliError(`service "${service}" is not running`, 1);
  return c;
}

async function execVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(
    argv,
    [
      { name: 'detach', short: 'd', kind: 'bool' },
      { name: 'no-TTY', short: 'T', kind: 'bool', aliases: ['no-tty'] },
      { name: 'interactive', short: 'i', kind: 'bool' },
      { name: 'tty', short: 't', kind: 'bool' },
      { name: 'env', short: 'e', kind: 'list' },
      { name: 'user', short: 'u', kind: 'string' },
      { name: 'workdir', short: 'w', kind: 'string' },
      { name: 'index', kind: 'int' },
      { name: 'privileged', kind: 'bool' },
    ],
    { stopAtPositional: true },
  );
  const [service, ...cmd] = f.positionals;
  if (!service || !cmd.length) throw new CliError(`'exec' requires at least 2 arguments`, 1);
  const p = await loadOrName(ctx);
  const c = serviceContainer(ctx, p, service, flagInt(f, 'index'));
  // docker compose exec allocates a tty by default; -T (or a stdin that is no terminal) turns it off.
  const tty = !flagBool(f, 'no-TTY') && process.stdin.isTTY === true;
  const args = [
    ...(flagBool(f, 'detach') ? ['-d'] : ['-i']),
    ...(tty ? ['-t'] : []),
    ...flagList(f, 'env').flatMap((e) => ['-e', e]),
    ...(flagString(f, 'user') ? ['-u', flagString(f, 'user')!] : []),
    ...(flagString(f, 'workdir') ? ['-w', flagString(f, 'workdir')!] : []),
    ...(flagBool(f, 'privileged') ? ['--privileged'] : []),
    c.Id,
    ...cmd,
  ];
  return (await verbs.exec())(args, ctx.globals);
}

async function runVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(
    argv,
    [
      { name: 'rm', kind: 'bool' },
      { name: 'detach', short: 'd', kind: 'bool' },
      { name: 'no-TTY', short: 'T', kind: 'bool', aliases: ['no-tty'] },
      { name: 'interactive', short: 'i', kind: 'bool' },
      { name: 'tty', short: 't', kind: 'bool' },
      { name: 'env', short: 'e', kind: 'list' },
      { name: 'label', short: 'l', kind: 'list' },
      { name: 'user', short: 'u', kind: 'string' },
      { name: 'workdir', short: 'w', kind: 'string' },
      { name: 'entrypoint', kind: 'string' },
      { name: 'name', kind: 'string' },
      { name: 'publish', short: 'p', kind: 'list' },
      { name: 'volume', short: 'v', kind: 'list' },
      { name: 'service-ports', kind: 'bool' },
      { name: 'no-deps', kind: 'bool' },
      { name: 'build', kind: 'bool' },
      { name: 'quiet-pull', kind: 'bool' },
      { name: 'remove-orphans', kind: 'bool' },
    ],
    { stopAtPositional: true },
  );
  const [service, ...cmd] = f.positionals;
  if (!service) throw new CliError(`'run' requires at least 1 argument`, 1);
  const p = await loadFrom(ctx);
  ctx.compose.enableNamed(p, [service]);
  ctx.compose.checkServices(p, [service]);
  const s: Service = { ...p.services[service] };
  if (!flagBool(f, 'service-ports')) delete s.ports;
  const entrypoint = flagString(f, 'entrypoint');
  if (entrypoint !== undefined) s.entrypoint = ctx.compose.splitCommand(entrypoint);
  const deps = Object.keys(s.depends_on ?? {}).filter((d) => p.services[d]);
  if (deps.length && !flagBool(f, 'no-deps')) await ctx.compose.up(ctx.host, p, { services: deps });
  await ctx.compose.prepare(ctx.host, p, [s], { build: flagBool(f, 'build') });
  const detach = flagBool(f, 'detach');
  const tty = !detach && !flagBool(f, 'no-TTY') && process.stdin.isTTY === true;
  const extraFlags = [
    ...(flagBool(f, 'rm') ? ['--rm'] : []),
    ...(detach ? ['-d'] : ['-i']),
    ...(tty ? ['-t'] : []),
    ...flagList(f, 'env').flatMap((e) => ['-e', e]),
    ...flagList(f, 'label').flatMap((l) => ['-l', l]),
    ...flagList(f, 'publish').flatMap((x) => ['-p', x]),
    ...flagList(f, 'volume').flatMap((x) => ['-v', x]),
    ...(flagString(f, 'user') ? ['-u', flagString(f, 'user')!] : []),
    ...(flagString(f, 'workdir') ? ['-w', flagString(f, 'workdir')!] : []),
  ];
  const name = flagString(f, 'name') ?? `${p.name}-${service}-run-${crypto.randomBytes(6).toString('hex')}`;
  const image = ctx.engine.images.lookup(ctx.compose.imageName(p, s));
  const args = ctx.compose.runArgs(p, s, { name, number: 1, oneoff: true, command: cmd.length ? cmd : undefined, extraFlags, imageId: image?.id });
  // `run --rm` with a restart policy is refused by docker; a one-off container never restarts.
  const restart = args.indexOf('--restart');
  if (restart >= 0) args.splice(restart, 2);
  return (await verbs.run())(args, ctx.globals);
}

async function configVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [
    { name: 'services', kind: 'bool' },
    { name: 'volumes', kind: 'bool' },
    { name: 'networks', kind: 'bool' },
    { name: 'images', kind: 'bool' },
    { name: 'profiles', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'no-interpolate', kind: 'bool' },
  ]);
  const p = await loadFrom(ctx);
  if (flagBool(f, 'quiet')) return 0;
  const lines = (xs: string[]): number => {
    process.stdout.write(xs.map((x) => `${x}\n`).join(''));
    return 0;
  };
  if (flagBool(f, 'services')) return lines(ctx.compose.dependencyOrder(p.services));
  if (flagBool(f, 'volumes')) return lines(Object.keys(p.volumes));
  if (flagBool(f, 'networks')) return lines(Object.keys(p.networks));
  if (flagBool(f, 'images')) return lines(Object.values(p.services).map((s) => ctx.compose.imageName(p, s)));
  if (flagBool(f, 'profiles')) return lines([...new Set([...Object.values(p.services), ...Object.values(p.disabled)].flatMap((s) => s.profiles ?? []))].sort());
  const doc = {
    name: p.name,
    services: Object.fromEntries(Object.entries(p.services).map(([k, { name: _n, ...rest }]) => [k, rest])),
    ...(Object.keys(p.networks).length ? { networks: p.networks } : {}),
    ...(Object.keys(p.volumes).length ? { volumes: p.volumes } : {}),
  };
  process.stdout.write(flagString(f, 'format') === 'json' ? JSON.stringify(doc, null, 2) + '\n' : toYaml(doc));
  return 0;
}

async function pullVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [{ name: 'ignore-pull-failures', kind: 'bool' }, { name: 'quiet', short: 'q', kind: 'bool' }, { name: 'include-deps', kind: 'bool' }]);
  const p = await loadFrom(ctx);
  ctx.compose.checkServices(p, f.positionals);
  let failed = 0;
  for (const s of Object.values(p.services).filter((x) => !f.positionals.length || f.positionals.includes(x.name))) {
    if (!s.image) {
      progress(` ${s.name} Skipped - No image to be pulled`);
      continue;
    }
    progress(` ${s.name} Pulling`);
    try {
      await ctx.host.pull(s.image);
      progress(` ${s.name} Pulled`);
    } catch (err) {
      if (!flagBool(f, 'ignore-pull-failures')) throw err;
      failed++;
    }
  }
  return failed ? 1 : 0;
}

async function buildVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [{ name: 'no-cache', kind: 'bool' }, { name: 'pull', kind: 'bool' }, { name: 'quiet', short: 'q', kind: 'bool' }, { name: 'build-arg', kind: 'list' }]);
  const p = await loadFrom(ctx);
  ctx.compose.checkServices(p, f.positionals);
  const extra = Object.fromEntries(flagList(f, 'build-arg').map((a) => [a.split('=')[0], a.slice(a.indexOf('=') + 1)]));
  for (const s of Object.values(p.services).filter((x) => x.build && (!f.positionals.length || f.positionals.includes(x.name)))) {
    await ctx.host.build({ ...s, build: { ...s.build!, args: { ...(s.build!.args ?? {}), ...extra } } }, ctx.compose.imageName(p, s));
  }
  return 0;
}

async function rmVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }, { name: 'stop', short: 's', kind: 'bool' }, { name: 'volumes', short: 'v', kind: 'bool' }]);
  const p = await loadOrName(ctx);
  ctx.compose.checkServices(p, f.positionals);
  const candidates = ctx.compose.projectContainers(ctx.engine, p.name, { services: f.positionals }).filter((c) => flagBool(f, 'stop') || !c.State.Running);
  if (!candidates.length) {
    progress('No stopped containers');
    return 0;
  }
  if (!flagBool(f, 'force')) {
    const { confirm } = await import('./system.js');
    if (!(await confirm(`Going to remove ${candidates.map((c) => c.Name.slice(1)).join(', ')}\n?`))) return 0;
  }
  await ctx.compose.rm(ctx.host, p, f.positionals, { stop: flagBool(f, 'stop'), volumes: flagBool(f, 'volumes') });
  return 0;
}

async function topVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, []);
  const p = await loadOrName(ctx);
  ctx.compose.checkServices(p, f.positionals);
  const top = await verbs.top();
  let code = 0;
  for (const c of ctx.compose.projectContainers(ctx.engine, p.name, { services: f.positionals }).filter((x) => x.State.Running)) {
    process.stdout.write(`${c.Name.slice(1)}\n`);
    code ||= await top([c.Id], ctx.globals);
    process.stdout.write('\n');
  }
  return code;
}

async function imagesVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [{ name: 'quiet', short: 'q', kind: 'bool' }, { name: 'format', kind: 'string' }]);
  const p = await loadOrName(ctx);
  ctx.compose.checkServices(p, f.positionals);
  const { familiarName } = await import('../../engine/index.js');
  const rows = ctx.compose.projectContainers(ctx.engine, p.name, { services: f.positionals }).flatMap((c) => {
    const image = ctx.engine.images.get(c.Image);
    if (!image) return [];
    const familiar = image.tags.length ? familiarName(image.tags[0]) : '<none>:<none>';
    const colon = familiar.lastIndexOf(':');
    return [{ Container: c.Name.slice(1), Repository: familiar.slice(0, colon), Tag: familiar.slice(colon + 1), ID: shortId(image.id), FullID: image.id, Size: humanSize(image.size) }];
  });
  if (flagBool(f, 'quiet')) {
    process.stdout.write([...new Set(rows.map((r) => r.FullID))].map((id) => `${id}\n`).join(''));
    return 0;
  }
  const format = flagString(f, 'format') ?? 'table {{.Container}}\t{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}';
  process.stdout.write(renderFormat(format, { Container: 'CONTAINER', Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', Size: 'SIZE' }, rows));
  return 0;
}

async function lsVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [{ name: 'all', short: 'a', kind: 'bool' }, { name: 'quiet', short: 'q', kind: 'bool' }, { name: 'format', kind: 'string' }, { name: 'filter', kind: 'list' }]);
  const { LABEL } = ctx.compose;
  const projects = new Map<string, { states: Map<string, number>; files: string }>();
  for (const c of ctx.engine.containers.list()) {
    const name = c.Config.Labels?.[LABEL.project];
    if (!name) continue;
    const entry = projects.get(name) ?? { states: new Map<string, number>(), files: c.Config.Labels[LABEL.configFiles] ?? '' };
    entry.states.set(c.State.Status, (entry.states.get(c.State.Status) ?? 0) + 1);
    projects.set(name, entry);
  }
  const names = flagList(f, 'filter').filter((x) => x.startsWith('name=')).map((x) => x.slice('name='.length));
  const rows = [...projects.entries()]
    .filter(([name, e]) => (flagBool(f, 'all') || e.states.has('running')) && (!names.length || names.some((n) => name.includes(n))))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => ({ Name: name, Status: [...e.states.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}(${n})`).join(', '), ConfigFiles: e.files }));
  if (flagBool(f, 'quiet')) {
    process.stdout.write(rows.map((r) => `${r.Name}\n`).join(''));
    return 0;
  }
  const format = flagString(f, 'format');
  if (format === 'json') process.stdout.write(JSON.stringify(rows) + '\n');
  else process.stdout.write(renderFormat(format ?? 'table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}', { Name: 'NAME', Status: 'STATUS', ConfigFiles: 'CONFIG FILES' }, rows));
  return 0;
}

async function portVerb(ctx: Ctx, argv: string[]): Promise<number> {
  const f = parseFlags(argv, [{ name: 'protocol', kind: 'string' }, { name: 'index', kind: 'int' }]);
  const [service, port] = f.positionals;
  if (!service || !port) throw new CliError(`'port' requires 2 arguments: SERVICE PRIVATE_PORT`, 1);
  const p = await loadOrName(ctx);
  const c = serviceContainer(ctx, p, service, flagInt(f, 'index'));
  const binding = c.NetworkSettings.Ports[`${port}/${flagString(f, 'protocol') ?? 'tcp'}`]?.[0];
  if (!binding) throw new CliError(`no port ${port}/${flagString(f, 'protocol') ?? 'tcp'} for container ${c.Name.slice(1)}`, 1);
  process.stdout.write(`${binding.HostIp || '0.0.0.0'}:${binding.HostPort}\n`);
  return 0;
}

type Subcommand = [run: (ctx: Ctx, argv: string[]) => Promise<number>, args: string, description: string];

const subcommands: Record<string, Subcommand> = {
  build: [buildVerb, '[OPTIONS] [SERVICE...]', 'Build or rebuild services'],
  config: [configVerb, '[OPTIONS] [SERVICE...]', 'Parse, resolve and render compose file in canonical format'],
  down: [downVerb, '[OPTIONS] [SERVICES]', 'Stop and remove containers, networks'],
  exec: [execVerb, '[OPTIONS] SERVICE COMMAND [ARGS...]', 'Execute a command in a running container'],
  images: [imagesVerb, '[OPTIONS] [SERVICE...]', 'List images used by the created containers'],
  kill: [(ctx, a) => lifecycleVerb(ctx, 'kill', a), '[OPTIONS] [SERVICE...]', 'Force stop service containers'],
  logs: [logsVerb, '[OPTIONS] [SERVICE...]', 'View output from containers'],
  ls: [lsVerb, '[OPTIONS]', 'List running compose projects'],
  pause: [(ctx, a) => lifecycleVerb(ctx, 'pause', a), '[SERVICE...]', 'Pause services'],
  port: [portVerb, '[OPTIONS] SERVICE PRIVATE_PORT', 'Print the public port for a port binding'],
  ps: [psVerb, '[OPTIONS] [SERVICE...]', 'List containers'],
  pull: [pullVerb, '[OPTIONS] [SERVICE...]', 'Pull service images'],
  restart: [(ctx, a) => lifecycleVerb(ctx, 'restart', a), '[OPTIONS] [SERVICE...]', 'Restart service containers'],
  rm: [rmVerb, '[OPTIONS] [SERVICE...]', 'Removes stopped service containers'],
  run: [runVerb, '[OPTIONS] SERVICE [COMMAND] [ARGS...]', 'Run a one-off command on a service'],
  start: [(ctx, a) => lifecycleVerb(ctx, 'start', a), '[SERVICE...]', 'Start services'],
  stop: [(ctx, a) => lifecycleVerb(ctx, 'stop', a), '[OPTIONS] [SERVICE...]', 'Stop services'],
  top: [topVerb, '[SERVICES...]', 'Display the running processes'],
  unpause: [(ctx, a) => lifecycleVerb(ctx, 'unpause', a), '[SERVICE...]', 'Unpause services'],
  up: [upVerb, '[OPTIONS] [SERVICE...]', 'Create and start containers'],
};

function usage(): string {
  return tabular([
    'Usage:  skiff compose [OPTIONS] COMMAND',
    '',
    'Define and run multi-container applications.',
    '',
    'Commands:',
    ...Object.entries(subcommands).map(([name, [, , description]]) => `  ${name}\t${description}`),
    '  version\tShow the Docker Compose version information',
  ]);
}

/** `docker compose …` (and `skiff compose …`). */
export async function compose(argv: string[], globals: GlobalOptions): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  const top = parseFlags(argv, globalFlags, { stopAtPositional: true });
  const [verb, ...rest] = top.positionals;
  if (!verb || verb === 'help') {
    process.stdout.write(usage());
    return verb ? 0 : 1;
  }
  if (verb === 'version') {
    const { COMPOSE_VERSION } = await import('../../compose/index.js');
    process.stdout.write(rest.includes('--short') ? `${COMPOSE_VERSION}\n` : `Docker Compose version v${COMPOSE_VERSION} (skiff)\n`);
    return 0;
  }
  const sub = subcommands[verb === 'convert' ? 'config' : verb];
  if (!sub) {
    process.stderr.write(`unknown docker command: "compose ${verb}"\n`);
    return 1;
  }
  if (rest[0] === '--help' || rest[0] === '-h') {
    process.stdout.write(`Usage:  skiff compose ${verb} ${sub[1]}\n\n${sub[2]}\n`);
    return 0;
  }
  const mod = await import('../../compose/index.js');
  const { engine, host } = await makeHost(globals);
  try {
    return await sub[0]({ compose: mod, globals, top, engine, host }, rest);
  } catch (err) {
    if (err instanceof mod.ComposeError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    const { EngineError } = await import('../../engine/index.js');
    if (err instanceof EngineError) {
      process.stderr.write(`Error response from daemon: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    host.networks.close();
  }
}
