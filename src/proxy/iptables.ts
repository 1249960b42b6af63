// Applies the rule documents of iptables-rules.ts to the host: iptables-restore --noflush touches only
// skiff's chains (declaring a chain flushes it) and, after the first sync, only those whose rules changed;
// stale per-service chains are deleted, and the jumps from the built-in chains are added once. Only this node's chains are ever matched (see ownsChain).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildRules, chainNames, type ChainNames, type RuleOptions } from './iptables-rules.js';
import type { ServicePort } from './model.js';

const run = promisify(execFile);

async function restore(document: string): Promise<void> {
  const child = execFile('iptables-restore', ['--noflush', '-w', '5']);
  const done = new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`iptables-restore failed (${code}): ${stderr.trim()}`))));
  });
  child.stdin?.end(document);
  await done;
}

/** Chains that belong to this prefix exactly (another node's "SKIFF-ab12-…" never matches "SKIFF"). */
export function ownsChain(chains: ChainNames, chain: string): boolean {
  const fixed = [chains.services, chains.nodePorts, chains.postrouting, chains.markMasq];
  if (fixed.includes(chain)) return true;
  const dynamic = new RegExp(`^${chains.prefix.replace(/[-]/g, '\\-')}-(SVC|SEP|XLB)-[A-Z0-9]+$`);
  return dynamic.test(chain);
}

async function existingChains(table: string, chains: ChainNames): Promise<string[]> {
  const { stdout } = await run('iptables-save', ['-t', table]);
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(':'))
    .map((l) => l.slice(1).split(' ')[0])
    .filter((c) => ownsChain(chains, c));
}

interface Jump {
  table: string;
  chain: string;
  args: string[];
}

function jumps(chains: ChainNames): Jump[] {
  const c = (text: string) => ['-m', 'comment', '--comment', text];
  return [
    { table: 'nat', chain: 'PREROUTING', args: [...c('skiff service portals'), '-j', chains.services] },
    { table: 'nat', chain: 'OUTPUT', args: [...c('skiff service portals'), '-j', chains.services] },
    { table: 'nat', chain: 'POSTROUTING', args: [...c('skiff postrouting rules'), '-j', chains.postrouting] },
    { table: 'filter', chain: 'INPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', ...c('skiff services without endpoints'), '-j', chains.services] },
    { table: 'filter', chain: 'OUTPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', ...c('skiff services without endpoints'), '-j', chains.services] },
    { table: 'filter', chain: 'FORWARD', args: ['-m', 'conntrack', '--ctstate', 'NEW', ...c('skiff services without endpoints'), '-j', chains.services] },
  ];
}

async function ensureJump(j: Jump): Promise<void> {
  try {
    await run('iptables', ['-w', '5', '-t', j.table, '-C', j.chain, ...j.args]);
  } catch {
    await run('iptables', ['-w', '5', '-t', j.table, '-I', j.chain, '1', ...j.args]);
  }
}

export interface IptablesProxierOptions extends Omit<RuleOptions, 'chains'> {
  /** "SKIFF" for the default data dir; "SKIFF-<tag>" for other nodes on the same host. */
  chainPrefix: string;
}

/** A restore document's rules by chain (declared chains with no rules map to an empty list). */
function rulesByChain(document: string): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  for (const line of document.split('\n')) {
    if (line.startsWith(':')) chains.set(line.slice(1).split(' ')[0], []);
    else if (line.startsWith('-A ')) chains.get(line.split(' ', 2)[1])?.push(line);
  }
  return chains;
}

function sameRules(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((line, i) => line === b[i]);
}

/**
 * The partial update for one table (kube-proxy's way with iptables-restore --noflush): only chains whose
 * rules changed are declared (which flushes them) and rewritten, stale ones flushed and deleted in the
 * same transaction; chains not named are left as they are. Undefined when nothing changed.
 */
export function restoreDelta(table: string, before: Map<string, string[]>, wanted: Map<string, string[]>, stale: string[]): string | undefined {
  const changed = [...wanted].filter(([chain, rules]) => !sameRules(before.get(chain), rules));
  if (changed.length === 0 && stale.length === 0) return undefined;
  return [
    `*${table}`,
    ...[...changed.map(([c]) => c), ...stale].map((c) => `:${c} - [0:0]`),
    ...changed.flatMap(([, rules]) => rules),
    ...stale.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}

type Applied = Record<'nat' | 'filter', Map<string, string[]>>;

export class IptablesProxier {
  private readonly chains: ChainNames;
  /** What the kernel holds, as far as we know; undefined = unknown (start, or after a failure): look. */
  private applied: Applied | undefined;

  constructor(private readonly options: IptablesProxierOptions) {
    this.chains = chainNames(options.chainPrefix);
  }

  /** Programs the rules for these service ports, touching only the chains that changed; false when none did. */
  async sync(servicePorts: ServicePort[]): Promise<boolean> {
    const rules = buildRules(servicePorts, { chains: this.chains, clusterCIDR: this.options.clusterCIDR, masqueradeMark: this.options.masqueradeMark });
    const wanted: Applied = { nat: rulesByChain(rules.nat), filter: rulesByChain(rules.filter) };
    const known = this.applied;
    this.applied = undefined;
    let changed = false;
    for (const table of ['nat', 'filter'] as const) {
      // Without a record of what is there, every chain of ours is rewritten and leftovers are found by
      // iptables-save (chains of a crashed run); afterwards our own record is enough.
      const before = known?.[table] ?? new Map<string, string[]>();
      const present = known ? [...before.keys()] : await existingChains(table, this.chains);
      const stale = present.filter((c) => !wanted[table].has(c));
      const document = restoreDelta(table, before, wanted[table], stale);
      if (!document) continue;
      await restore(document);
      changed = true;
    }
    if (!known) for (const j of jumps(this.chains)) await ensureJump(j);
    this.applied = wanted;
    return changed || !known;
  }

  /** Removes every jump and chain of this prefix (and nothing else). */
  async cleanup(): Promise<void> {
    await removeProxyRules(this.options.chainPrefix);
    this.applied = undefined;
  }
}

export async function removeProxyRules(chainPrefix: string): Promise<void> {
  const chains = chainNames(chainPrefix);
  for (const j of jumps(chains)) {
    for (;;) {
      try {
        await run('iptables', ['-w', '5', '-t', j.table, '-D', j.chain, ...j.args]);
      } catch {
        break;
      }
    }
  }
  for (const table of ['nat', 'filter']) {
    const owned = await existingChains(table, chains);
    if (owned.length === 0) continue;
    await restore([`*${table}`, ...owned.map((c) => `:${c} - [0:0]`), ...owned.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n'));
  }
}
