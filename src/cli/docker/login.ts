// docker login / logout: credentials are checked against the registry's /v2/ endpoint and kept in
// docker's config.json ($DOCKER_CONFIG, default ~/.docker), mode 0600.
import readline from 'node:readline';
import fs from 'node:fs';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags, UsageError } from '../flags.js';
import { CliError } from './common.js';
import {
  DOCKER_HUB_AUTH_KEY, RegistryClient, dockerConfigPath, engineRegistrySettings, isInsecure, removeCredentials, saveCredentials,
} from '../../registry/index.js';

const HUB = 'docker.io';

function serverHost(arg: string | undefined): string {
  if (!arg || arg === DOCKER_HUB_AUTH_KEY) return HUB;
  return arg.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

async function prompt(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  try {
    return await new Promise((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

export async function login(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'username', short: 'u', kind: 'string' },
    { name: 'password', short: 'p', kind: 'string' },
    { name: 'password-stdin', kind: 'bool' },
  ]);
  if (flags.positionals.length > 1) throw new UsageError('"login" requires at most 1 argument.');
  const host = serverHost(flags.positionals[0]);
  let password = flagString(flags, 'password');
  if (flagBool(flags, 'password-stdin')) {
    if (password) throw new CliError('--password and --password-stdin are mutually exclusive', 1);
    if (!flagString(flags, 'username')) throw new CliError('Must provide --username with --password-stdin', 1);
    password = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  } else if (password) {
    process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  const username = flagString(flags, 'username') ?? (await prompt('Username: ')).trim();
  if (!username) throw new CliError('Error: Non-null Username Required', 1);
  if (password === undefined) password = await prompt('Password: ');
  if (!password) throw new CliError('Error: Password Required', 1);
  const apiHost = host === HUB ? 'registry-1.docker.io' : host;
  const client = new RegistryClient({ host: apiHost, insecure: isInsecure(host, engineRegistrySettings(globals.root)), credentials: { username, password } });
  try {
    await client.ping();
  } catch (err) {
    const scheme = isInsecure(host, engineRegistrySettings(globals.root)) ? 'http' : 'https';
    throw new CliError(`Error response from daemon: Get "${scheme}://${apiHost}/v2/": ${(err as Error).message}`, 1);
  }
  saveCredentials(host, { username, password });
  process.stdout.write(`WARNING! Your password will be stored unencrypted in ${dockerConfigPath()}.\n\nLogin Succeeded\n`);
  return 0;
}

export async function logout(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, []);
  if (flags.positionals.length > 1) throw new UsageError('"logout" requires at most 1 argument.');
  const host = serverHost(flags.positionals[0]);
  const shown = host === HUB ? DOCKER_HUB_AUTH_KEY : host;
  if (!removeCredentials(host)) {
    process.stdout.write(`Not logged in to ${shown}\n`);
    return 0;
  }
  process.stdout.write(`Removing login credentials for ${shown}\n`);
  return 0;
}
