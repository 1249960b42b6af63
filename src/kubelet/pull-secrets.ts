// Registry credentials from a pod's image pull secrets, as the kubelet's docker keyring picks them
// (pkg/credentialprovider): kubernetes.io/dockerconfigjson secrets hold {"auths": {key: entry}},
// kubernetes.io/dockercfg secrets the bare {key: entry} map; a key is a registry host (a scheme, a port,
// a path prefix and '*' labels allowed) and matches an image whose registry and repository it covers.
// Every matching credential is tried in turn, the most specific key first.
import { parseReference } from '../engine/index.js';
import { authKey, DOCKER_HUB_AUTH_KEY, type Credentials } from '../registry/index.js';

export const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CFG = 'kubernetes.io/dockercfg';

/** A secret as the API returns it (data base64-encoded). */
export interface PullSecret {
  type?: string;
  data?: Record<string, string>;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
}

function entries(secret: PullSecret): Record<string, AuthEntry> {
  const field = secret.type === DOCKER_CONFIG_JSON ? '.dockerconfigjson' : secret.type === DOCKER_CFG ? '.dockercfg' : '';
  const encoded = field && secret.data?.[field];
  if (!encoded) return {};
  try {
    const parsed = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { auths?: Record<string, AuthEntry> } & Record<string, AuthEntry>;
    return (secret.type === DOCKER_CONFIG_JSON ? parsed.auths : parsed) ?? {};
  } catch {
    // A malformed secret gives no credentials, as the kubelet skips what it cannot parse.
    return {};
  }
}

function credentials(entry: AuthEntry): Credentials | undefined {
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return entry.username !== undefined ? { username: entry.username, password: entry.password ?? '' } : undefined;
}

/** Docker Hub's aliases (index.docker.io, registry-1.docker.io) as one host. */
function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return authKey(lower) === DOCKER_HUB_AUTH_KEY ? 'docker.io' : lower;
}

/** host[:port] and path of a keyring key. */
function splitKey(key: string): { host: string; path: string } {
  const bare = key.replace(/^[a-z]+:\/\//i, '');
  const slash = bare.indexOf('/');
  const host = canonicalHost(slash < 0 ? bare : bare.slice(0, slash));
  const rest = slash < 0 ? '' : bare.slice(slash + 1).replace(/\/+$/, '');
  // https://index.docker.io/v1/ is Docker Hub's key itself, not a path inside it.
  return { host, path: host === 'docker.io' && rest === 'v1' ? '' : rest };
}

function hostMatches(pattern: string, host: string): boolean {
  const [pHost, pPort = ''] = pattern.split(':');
  const [hHost, hPort = ''] = host.split(':');
  if (pPort !== hPort) return false;
  const p = pHost.split('.');
  const h = hHost.split('.');
  return p.length === h.length && p.every((label, i) => label === '*' || label === h[i]);
}

/** The credentials to try for image, best match first; empty when no secret covers its registry. */
export function pullCredentials(image: string, secrets: PullSecret[]): Credentials[] {
  let ref: { domain: string; path: string };
  try {
    ref = parseReference(image);
  } catch {
    return [];
  }
  const host = canonicalHost(ref.domain);
  const matches: Array<{ specificity: number; creds: Credentials }> = [];
  for (const secret of secrets) {
    for (const [key, entry] of Object.entries(entries(secret))) {
      const k = splitKey(key);
      if (!hostMatches(k.host, host)) continue;
      if (k.path && ref.path !== k.path && !ref.path.startsWith(`${k.path}/`)) continue;
      const creds = credentials(entry);
      if (creds) matches.push({ specificity: k.host.length + k.path.length, creds });
    }
  }
  // A stable sort keeps the pod's secret order among equally specific keys.
  return matches.sort((a, b) => b.specificity - a.specificity).map((m) => m.creds);
}
