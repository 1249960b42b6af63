// skiff's entry point: global flags, then dispatch to one lazily loaded command module.
// Cluster commands are named here; every other verb is docker's and goes to the engine CLI.
// Built, each command module is its own bundle next to dist/main.cjs (scripts/build.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { enableCompileCache } from './compile-cache.js';
import type { CommandModule, GlobalOptions } from './command.js';

const clusterCommands: Record<string, () => Promise<CommandModule>> = {
  server: () => import('./server.js'),
  agent: () => import('./agent.js'),
  'hollow-nodes': () => import('./hollow-nodes.js'),
  kubectl: () => import('./kubectl.js'),
  status: () => import('./status.js'),
  cleanup: () => import('./cleanup.js'),
  registry: () => import('./registry.js'),
};

const DEFAULT_ENGINE_ROOT = '/var/lib/skiff/engine';

function usage(): string {
  return [
    'Usage: skiff [--root DIR] COMMAND [ARGS...]',
    '',
    'Cluster commands:',
    '  server        Run the control plane (API server, scheduler, controllers) and a node agent',
    '  agent         Run a node agent that joins a server (--server URL --token T)',
    '  kubectl       Run kubectl against this machine\'s cluster',
    '  status        Show the health of each component of this machine\'s cluster',
    '  cleanup       Remove the containers, links, routes and rules a data dir\'s server and agent created',
    '  hollow-nodes  Register fake nodes for scale tests',
    '  registry      Serve an image registry (registry serve --addr --root)',
    '',
    'Container commands are docker\'s: run, ps, images, build, ... (skiff COMMAND --help).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // bin/skiff set NODE_EXTRA_CA_CERTS aside for this process only: the processes skiff starts get it back.
  if (process.env.SKIFF_EXTRA_CA_CERTS) process.env.NODE_EXTRA_CA_CERTS = process.env.SKIFF_EXTRA_CA_CERTS;
  const globals: GlobalOptions = { root: process.env.SKIFF_ROOT || DEFAULT_ENGINE_ROOT };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') globals.root = argv[++i] ?? '';
    else if (arg.startsWith('--root=')) globals.root = arg.slice('--root='.length);
    else break;
  }
  const verb = argv[i];
  const rest = argv.slice(i + 1);
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage() + '\n');
    return verb ? 0 : 1;
  }
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.cjs')) enableCompileCache(path.dirname(here), /^[a-z][a-z-]{0,30}$/.test(verb) ? verb : 'other');
  const load = clusterCommands[verb];
  if (!load) {
    const code = await (await import('./docker/index.js')).run(verb, rest, globals);
    // A docker verb is done when it returns. Exiting here skips the environment teardown, in which
    // better-sqlite3 closes the engine's connections and SQLite checkpoints the WAL and deletes it:
    // fsyncs on every call (and the next call's first write fsyncs a new WAL). The WAL is valid as it
    // is; stdout and stderr are synchronous for files, pipes and terminals on Linux.
    process.exit(code);
  }
  const mod = await load();
  return mod.run(rest, globals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // By name: each command bundle has its own copy of the UsageError class.
    if (err instanceof Error && err.name === 'UsageError') {
      process.stderr.write(`skiff: ${err.message}\nSee 'skiff --help'.\n`);
      process.exitCode = 125;
      return;
    }
    process.stderr.write(`skiff: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
