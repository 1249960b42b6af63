// `search HOST/TERM`: a private registry has no search API, so the catalog is listed (following its
// pages) and repositories whose name contains TERM are returned, as `HOST/repo`.
import { RegistryClient } from './client.js';
import { isInsecure, loadCredentials, type RegistrySettings } from './config.js';

export interface SearchResult {
  name: string;
  description: string;
  stars: number;
  official: boolean;
  automated: boolean;
}

/** Splits `host[:port]/term` the way image references name a registry; undefined for Docker Hub terms. */
export function searchTarget(term: string): { host: string; term: string } | undefined {
  const slash = term.indexOf('/');
  const first = slash >= 0 ? term.slice(0, slash) : '';
  if (!first || !(first.includes('.') || first.includes(':') || first === 'localhost')) return undefined;
  return { host: first, term: term.slice(slash + 1) };
}

export async function searchRegistry(host: string, term: string, settings: RegistrySettings, limit = 25): Promise<SearchResult[]> {
  const client = new RegistryClient({ host, insecure: isInsecure(host, settings), credentials: loadCredentials(host) });
  const repos = await client.catalog();
  return repos
    .filter((r) => r.includes(term))
    .slice(0, limit)
    .map((r) => ({ name: `${host}/${r}`, description: '', stars: 0, official: false, automated: false }));
}
