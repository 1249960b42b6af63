// Routing of the Docker API: an optional /vX.Y prefix (clients pin the version they negotiated), then
// method + path patterns. `:name` matches one segment; `:name*` matches the rest of a name that may
// hold slashes (image names such as docker.io/library/busybox:latest), as moby's `{name:.*}` routes do.

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
  /** The API version the client asked for in the path, or undefined for an unversioned path. */
  version?: string;
}

interface Route<H> {
  method: string;
  regex: RegExp;
  names: string[];
  handler: H;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        const m = /^:(\w+)(\*)?$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** The route for a request; `allowed` lists the methods of routes whose path matched (for 405 vs 404). */
  match(method: string, pathname: string): { found?: Match<H>; pathMatched: boolean } {
    const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
    const version = versioned?.[1];
    const rest = versioned ? versioned[2] : pathname;
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.regex.exec(rest);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { found: { handler: r.handler, params, version }, pathMatched };
    }
    return { pathMatched };
  }
}

/** Compares dotted API versions ("1.43" < "1.100"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
