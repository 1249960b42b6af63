// docker's verbs: a table from verb to a lazily imported handler, so `skiff run` loads only what `run`
// needs. Other parts add their verbs (build, pull, push, network, volume, ...) with one line each.
// Management forms (`container ls`, `image rm`, `system df`) map onto the same handlers.
import type { GlobalOptions } from '../command.js';
import { UsageError } from '../flags.js';

export type Verb = (argv: string[], globals: GlobalOptions) => Promise<number>;

export const verbs: Record<string, () => Promise<Verb>> = {
  create: async () => (await import('./run.js')).create,
  run: async () => (await import('./run.js')).run,
  start: async () => (await import('./run.js')).start,
  ps: async () => (await import('./ps.js')).ps,
  logs: async () => (await import('./logs.js')).logs,
  stop: async () => (await import('./lifecycle.js')).stop,
  kill: async () => (await import('./lifecycle.js')).kill,
  restart: async () => (await import('./lifecycle.js')).restart,
  pause: async () => (await import('./lifecycle.js')).pause,
  unpause: async () => (await import('./lifecycle.js')).unpause,
  wait: async () => (await import('./lifecycle.js')).wait,
  rename: async () => (await import('./lifecycle.js')).rename,
  rm: async () => (await import('./lifecycle.js')).rm,
  inspect: async () => (await import('./inspect.js')).inspect,
  exec: async () => (await import('./exec.js')).exec,
  images: async () => (await import('./images.js')).images,
  rmi: async () => (await import('./images.js')).rmi,
  tag: async () => (await import('./images.js')).tag,
  history: async () => (await import('./images.js')).history,
  diff: async () => (await import('./filesystem.js')).diff,
  commit: async () => (await import('./filesystem.js')).commit,
  export: async () => (await import('./filesystem.js')).exportVerb,
  import: async () => (await import('./filesystem.js')).importVerb,
  cp: async () => (await import('./filesystem.js')).cp,
  top: async () => (await import('./top.js')).top,
  stats: async () => (await import('./top.js')).stats,
  port: async () => (await import('./top.js')).port,
  update: async () => (await import('./system.js')).update,
  events: async () => (await import('./system.js')).events,
  info: async () => (await import('./system.js')).info,
  version: async () => (await import('./system.js')).version,
  attach: async () => (await import('./system.js')).attach,
  build: async () => (await import('./build.js')).buildVerb,
  pull: async () => (await import('./pull.js')).pull,
  push: async () => (await import('./push.js')).push,
  login: async () => (await import('./login.js')).login,
  logout: async () => (await import('./login.js')).logout,
  save: async () => (await import('./save.js')).save,
  load: async () => (await import('./load.js')).load,
  search: async () => (await import('./search.js')).search,
  network: async () => (await import('./network.js')).network,
  volume: async () => (await import('./volume.js')).volume,
  compose: async () => (await import('./compose.js')).compose,
};

/** `docker container X` / `docker image X` / `docker system X` → the verb that does it. */
const management: Record<string, Record<string, string>> = {
  container: { ls: 'ps', list: 'ps', ps: 'ps', remove: 'rm', cleanup: 'container-cleanup', prune: 'container-prune', inspect: 'container-inspect' },
  image: { ls: 'images', list: 'images', rm: 'rmi', remove: 'rmi', inspect: 'image-inspect', prune: 'image-prune' },
  system: { df: 'system-df', info: 'info', events: 'events', restore: 'system-restore', reset: 'system-reset', service: 'system-service' },
};

verbs['container-cleanup'] = async () => (await import('./lifecycle.js')).containerCleanup;
verbs['container-inspect'] = async () => (await import('./inspect.js')).containerInspect;
verbs['image-inspect'] = async () => (await import('./inspect.js')).imageInspect;
verbs['container-prune'] = async () => (await import('./system.js')).containerPrune;
verbs['image-prune'] = async () => (await import('./system.js')).imagePrune;
verbs['system-df'] = async () => (await import('./system.js')).systemDf;
verbs['system-restore'] = async () => (await import('./lifecycle.js')).systemRestore;
verbs['system-reset'] = async () => (await import('./network.js')).systemReset;
verbs['system-service'] = async () => (await import('./service.js')).service;

function resolveVerb(verb: string, argv: string[]): { name: string; args: string[]; shown: string } | undefined {
  const table = management[verb];
  if (table) {
    const sub = argv[0];
    if (!sub) return undefined;
    const name = table[sub] ?? sub;
    return verbs[name] ? { name, args: argv.slice(1), shown: `${verb} ${sub}` } : undefined;
  }
  return verbs[verb] ? { name: verb, args: argv, shown: verb } : undefined;
}

/** `--help` among the verb's own flags; after a run/exec command starts, it belongs to the command. */
function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--help') return true;
    if (a === '--' || !a.startsWith('-')) return false;
  }
  return false;
}

export async function run(verb: string, argv: string[], globals: GlobalOptions): Promise<number> {
  if (management[verb] && (!argv[0] || argv[0] === '--help')) {
    const { GROUPS, groupHelp } = await import('./help.js');
    if (GROUPS[verb]) {
      process.stdout.write(groupHelp(verb));
      return 0;
    }
  }
  const found = resolveVerb(verb, argv);
  if (!found) {
    const what = management[verb] ? `${verb} ${argv[0] ?? ''}`.trim() : verb;
    process.stderr.write(`skiff: '${what}' is not a docker command.\nSee 'skiff --help'\n`);
    return 125;
  }
  if (wantsHelp(found.args)) {
    const text = (await import('./help.js')).verbHelp(found.shown);
    if (text) {
      process.stdout.write(text);
      return 0;
    }
  }
  const handler = await verbs[found.name]();
  try {
    return await handler(found.args, globals);
  } catch (err) {
    return reportError(err, found.shown);
  }
}

/** Prints an error the way docker's CLI does and returns its exit code. */
export async function reportError(err: unknown, shown: string): Promise<number> {
  const runLike = shown === 'run' || shown === 'create' || shown === 'container run' || shown === 'container create';
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\nSee 'skiff ${shown} --help'.\n`);
    return 125;
  }
  const { CliError } = await import('./common.js');
  if (err instanceof CliError) {
    if (err.message) process.stderr.write(`${err.message}\n`);
    return err.code;
  }
  const { EngineError } = await import('../../engine/index.js');
  if (err instanceof EngineError) {
    process.stderr.write(`${runLike ? 'skiff: ' : ''}Error response from daemon: ${err.message}\n`);
    if (runLike) process.stderr.write(`See 'skiff ${shown} --help'.\n`);
    return runLike ? 125 : 1;
  }
  throw err;
}
