// The runtime side of the CNI spec 1.0.0: run plugin binaries with CNI_* env and the netconf on stdin,
// chain a conflist (ADD in order with prevResult, DEL in reverse with the cached ADD result) and keep
// each attachment's result under the engine's own state dir, as libcni does under /var/lib/cni/results.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Debian's containernetworking-plugins. */
export const CNI_PATH = '/usr/lib/cni';
export const CNI_VERSION = '1.0.0';

export interface CniPluginConf {
  type: string;
  /** Capability args this plugin accepts (runtimeConfig keys); stripped before the plugin sees them. */
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
}

export interface CniRuntimeConf {
  containerId: string;
  /** Network namespace path; may be empty for DEL of a namespace that is already gone. */
  netns: string;
  ifName: string;
  args?: Record<string, string>;
  capabilityArgs?: Record<string, unknown>;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips?: Array<{ interface?: number; address: string; gateway?: string }>;
  routes?: Array<{ dst: string; gw?: string }>;
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

/** A plugin's error result ({code, msg, details}) or a plugin that could not run. */
export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly code: number,
    message: string,
  ) {
    super(`plugin type="${plugin}" failed (${code}): ${message}`);
    this.name = 'CniError';
  }
}

// Plugins shell out to iptables/ip and need sbin dirs even when the caller's PATH lacks them.
const PLUGIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Runs one plugin once: CNI_* env, conf on stdin, result (or error object) on stdout. */
export function execPlugin(command: 'ADD' | 'DEL' | 'CHECK' | 'VERSION', conf: Record<string, unknown> & { type: string }, rt: CniRuntimeConf): Promise<unknown> {
  const env: Record<string, string> = {
    PATH: PLUGIN_PATH,
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_PATH,
  };
  if (rt.args && Object.keys(rt.args).length) env.CNI_ARGS = Object.entries(rt.args).map(([k, v]) => `${k}=${v}`).join(';');
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(CNI_PATH, conf.type), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(conf.type, 999, e.message)));
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      if (code === 0) {
        try {
          resolve(text ? JSON.parse(text) : undefined);
        } catch {
          reject(new CniError(conf.type, 999, `unparsable result: ${text}`));
        }
        return;
      }
      let message = Buffer.concat(err).toString('utf8').trim() || text;
      let errCode = code ?? 999;
      try {
        const e = JSON.parse(text) as { code?: number; msg?: string; details?: string };
        errCode = e.code ?? errCode;
        message = [e.msg, e.details].filter(Boolean).join(': ') || message;
      } catch {
        // not a CNI error object: keep stderr/stdout as the message
      }
      reject(new CniError(conf.type, errCode, message));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(conf));
  });
}

/** The stdin of one plugin in a list: list name/version, prevResult, and only the capability args it declares. */
export function pluginInput(list: CniConfList, plugin: CniPluginConf, rt: CniRuntimeConf, prevResult: CniResult | undefined): Record<string, unknown> & { type: string } {
  const { capabilities, ...rest } = plugin;
  const input: Record<string, unknown> & { type: string } = { ...rest, cniVersion: list.cniVersion, name: list.name };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(capabilities ?? {})) {
    if (on && rt.capabilityArgs?.[cap] !== undefined) runtimeConfig[cap] = rt.capabilityArgs[cap];
  }
  if (Object.keys(runtimeConfig).length) input.runtimeConfig = runtimeConfig;
  if (prevResult) input.prevResult = prevResult;
  return input;
}

function cacheFile(cacheDir: string, list: CniConfList, rt: CniRuntimeConf): string {
  return path.join(cacheDir, `${list.name}-${rt.containerId}-${rt.ifName}.json`);
}

/** The stored ADD result of an attachment, if any. */
export function cachedResult(cacheDir: string, list: CniConfList, rt: CniRuntimeConf): CniResult | undefined {
  try {
    return (JSON.parse(fs.readFileSync(cacheFile(cacheDir, list, rt), 'utf8')) as { result: CniResult }).result;
  } catch {
    return undefined;
  }
}

/**
 * ADD through every plugin of the list. A failed ADD is undone with DEL (plugins leave veths and IPs
 * behind otherwise) before the error is thrown.
 */
export async function addNetworkList(list: CniConfList, rt: CniRuntimeConf, cacheDir: string): Promise<CniResult> {
  let result: CniResult | undefined;
  try {
    for (const plugin of list.plugins) {
      result = (await execPlugin('ADD', pluginInput(list, plugin, rt, result), rt)) as CniResult;
    }
  } catch (err) {
    await delNetworkList(list, rt, cacheDir, result).catch(() => undefined);
    throw err;
  }
  if (!result) throw new CniError(list.plugins[0]?.type ?? '?', 999, 'empty network list');
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = cacheFile(cacheDir, list, rt);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ kind: 'cniCacheV1', containerId: rt.containerId, ifName: rt.ifName, networkName: list.name, config: list, result }));
  fs.renameSync(`${file}.tmp`, file);
  return result;
}

/**
 * DEL through the list in reverse with the cached result. Idempotent; one retry because plugins 1.1.1
 * can fail a DEL half-way ("Chain … does not exist") and succeed the second time.
 */
export async function delNetworkList(list: CniConfList, rt: CniRuntimeConf, cacheDir: string, known?: CniResult): Promise<void> {
  const prev = known ?? cachedResult(cacheDir, list, rt);
  const once = async (): Promise<void> => {
    for (const plugin of [...list.plugins].reverse()) await execPlugin('DEL', pluginInput(list, plugin, rt, prev), rt);
  };
  try {
    await once();
  } catch {
    await once();
  }
  fs.rmSync(cacheFile(cacheDir, list, rt), { force: true });
}

/** CHECK through the list with the cached result; throws what the first failing plugin reports. */
export async function checkNetworkList(list: CniConfList, rt: CniRuntimeConf, cacheDir: string): Promise<void> {
  const prev = cachedResult(cacheDir, list, rt);
  if (!prev) throw new CniError(list.plugins[0]?.type ?? '?', 999, `no cached result for ${rt.containerId}/${rt.ifName}`);
  for (const plugin of list.plugins) await execPlugin('CHECK', pluginInput(list, plugin, rt, prev), rt);
}
