// Which servers to talk to for an image: docker.io images go to the configured mirrors first and then
// to Docker Hub's API host; every other registry is reached directly, over plain HTTP only when it is
// loopback or listed in `insecure-registries`.
import { RegistryClient } from './client.js';
import { DOCKER_HUB_HOSTS, isInsecure, loadCredentials, type Credentials, type RegistrySettings } from './config.js';

/** An image name split the way the distribution API needs it (the engine's reference parser makes these). */
export interface ImageRef {
  /** Registry host, e.g. docker.io or 127.0.0.1:5000. */
  domain: string;
  /** Repository inside the registry, e.g. library/busybox. */
  path: string;
  tag: string;
  digest: string;
}

export interface ClientContext {
  settings: RegistrySettings;
  /** Credentials for a host; defaults to docker's config.json. */
  credentials?: (host: string) => Credentials | undefined;
}

export function clientsFor(ref: ImageRef, ctx: ClientContext, forPush = false): RegistryClient[] {
  const creds = (host: string) => (ctx.credentials ?? ((h: string) => loadCredentials(h)))(host);
  if (DOCKER_HUB_HOSTS.includes(ref.domain)) {
    const hub = new RegistryClient({ host: 'registry-1.docker.io', insecure: false, credentials: creds(ref.domain) });
    if (forPush) return [hub];
    const mirrors = ctx.settings.mirrors.map((url) => {
      const host = new URL(url).host;
      return new RegistryClient({ host, insecure: url.startsWith('http:') || isInsecure(host, ctx.settings), baseUrl: url, credentials: creds(host) });
    });
    return [...mirrors, hub];
  }
  return [new RegistryClient({ host: ref.domain, insecure: isInsecure(ref.domain, ctx.settings), credentials: creds(ref.domain) })];
}

/** The repository's tags (pull -a), from the first endpoint that answers. */
export async function repositoryTags(ref: ImageRef, ctx: ClientContext): Promise<string[]> {
  let lastError: unknown;
  for (const client of clientsFor(ref, ctx)) {
    try {
      return await client.tags(ref.path);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
