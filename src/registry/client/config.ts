// Where the client's settings live, in docker's formats:
// - credentials: `$DOCKER_CONFIG/config.json` (default ~/.docker/config.json), `{"auths":{"host":{"auth":
//   base64("user:pass")}}}`, written 0600 (`docker login`/`logout`);
// - engine settings: a daemon.json-style file with `registry-mirrors` (used for docker.io images) and
//   `insecure-registries` (host[:port] or CIDR; plain HTTP allowed). Loopback is always insecure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const DOCKER_HUB_HOSTS = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
/** The key docker uses for Docker Hub credentials in config.json. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface Credentials {
  username: string;
  password: string;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  [key: string]: unknown;
}

function readConfig(file: string): DockerConfigFile {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DockerConfigFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`loading config file ${file}: ${(err as Error).message}`);
  }
}

function writeConfig(file: string, config: DockerConfigFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The config.json key for a registry host. */
export function authKey(host: string): string {
  return DOCKER_HUB_HOSTS.includes(host) ? DOCKER_HUB_AUTH_KEY : host;
}

function stripScheme(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export function loadCredentials(host: string, file = dockerConfigPath()): Credentials | undefined {
  const auths = readConfig(file).auths ?? {};
  const key = authKey(host);
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => stripScheme(k) === stripScheme(key))?.[1];
  if (!entry) return undefined;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

export function saveCredentials(host: string, creds: Credentials, file = dockerConfigPath()): void {
  const config = readConfig(file);
  config.auths = config.auths ?? {};
  config.auths[authKey(host)] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  writeConfig(file, config);
}

/** Removes stored credentials; false when there were none. */
export function removeCredentials(host: string, file = dockerConfigPath()): boolean {
  const config = readConfig(file);
  const key = authKey(host);
  if (!config.auths?.[key]) return false;
  delete config.auths[key];
  writeConfig(file, config);
  return true;
}

export interface RegistrySettings {
  mirrors: string[];
  insecure: string[];
}

/** Reads `registry-mirrors` and `insecure-registries` from a daemon.json-style file (absent = none). */
export function loadRegistrySettings(file: string | undefined): RegistrySettings {
  if (!file || !fs.existsSync(file)) return { mirrors: [], insecure: [] };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`unable to configure the engine from ${file}: ${(err as Error).message}`);
  }
  const list = (key: string): string[] => {
    const v = data[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`${file}: "${key}" must be a list of strings`);
    return v as string[];
  };
  return { mirrors: list('registry-mirrors').map((m) => m.replace(/\/+$/, '')), insecure: list('insecure-registries') };
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!net.isIPv4(ip) || !net.isIPv4(base) || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}

/** Whether plain HTTP (and unverified TLS) is allowed for `host[:port]`. */
export function isInsecure(host: string, settings: RegistrySettings): boolean {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (hostname === 'localhost' || hostname === '::1' || inCidr(hostname, '127.0.0.0/8')) return true;
  return settings.insecure.some((entry) => (entry.includes('/') ? inCidr(hostname, entry) : entry === host || entry === hostname));
}
