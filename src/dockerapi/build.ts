// POST /build — the classic builder's endpoint, which docker's CLI uses when no buildx is installed (and
// /_ping says Builder-Version 1): the body is the context as a tar, the transcript goes back as JSON
// lines ({"stream": …}), the image id as {"aux": {"ID": …}}, a failure as {"error": …} with its code.
import { Writable } from 'node:stream';
import path from 'node:path';
import { build, BuildContextError, BuildError, EngineBuildBackend, readDockerfile, stdinContext } from '../build/index.js';
import { parseReference } from '../engine/index.js';
import { createProgress, engineRegistrySettings, pullToEngine } from '../registry/index.js';
import { response, type Ctx } from './context.js';
import { badRequest, boolParam, readBody, sendJson } from './http.js';
import type { RouteTable } from './server.js';

function jsonParam(q: URLSearchParams, name: string): Record<string, string | null> {
  const raw = q.get(name);
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, string | null>;
  } catch {
    throw badRequest(`invalid ${name}: ${raw}`);
  }
}

async function buildImage(ctx: Ctx): Promise<void> {
  const { engine } = ctx.api;
  const q = ctx.query;
  const tags = q.getAll('t');
  for (const t of tags) {
    try {
      parseReference(t);
    } catch (err) {
      throw badRequest(`invalid reference format: ${(err as Error).message}`);
    }
  }
  const buildArgs = Object.fromEntries(Object.entries(jsonParam(q, 'buildargs')).filter((e): e is [string, string] => e[1] !== null));
  const labels = Object.entries(jsonParam(q, 'labels'));
  let prepared: ReturnType<typeof stdinContext>;
  try {
    prepared = stdinContext(await readBody(ctx.req));
  } catch (err) {
    if (err instanceof BuildContextError) throw badRequest(err.message);
    throw err;
  }
  const { context } = prepared;
  try {
    let dockerfile: string;
    try {
      // The Dockerfile path is relative to the context, and must stay inside it.
      const file = path.join(context.root, path.posix.normalize(`/${q.get('dockerfile') || 'Dockerfile'}`));
      dockerfile = prepared.dockerfile ?? readDockerfile(context, file);
    } catch (err) {
      if (err instanceof BuildContextError) throw badRequest(err.message.replace(context.root, ''));
      throw err;
    }
    // Labels become one more LABEL step of the last stage, as the CLI's own build verb does.
    if (labels.length) dockerfile = `${dockerfile.replace(/\n?$/, '\n')}LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v ?? '')}`).join(' ')}\n`;
    const res = response(ctx);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const line = (msg: object): void => void res.write(JSON.stringify(msg) + '\r\n');
    // q=1: the transcript is held back and only the image id is sent (the transcript too if the build fails).
    const quiet = boolParam(q, 'q');
    const held: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (quiet) held.push(chunk);
        else line({ stream: chunk.toString('utf8') });
        cb();
      },
    });
    const settings = engineRegistrySettings(engine.paths.root);
    const backend = new EngineBuildBackend(engine, async (name, sink) => {
      await pullToEngine(engine, name, { settings, progress: createProgress(sink) });
    });
    try {
      const network = q.get('networkmode');
      const result = await build(backend, { context, dockerfile, tags, buildArgs, out, noCache: boolParam(q, 'nocache'), target: q.get('target') || undefined, network: network && network !== 'default' ? network : undefined });
      if (quiet) line({ stream: `${result.imageId}\n` });
      line({ aux: { ID: result.imageId } });
    } catch (err) {
      if (quiet && held.length) line({ stream: Buffer.concat(held).toString('utf8') });
      const message = err instanceof Error ? err.message : String(err);
      line({ errorDetail: { message, ...(err instanceof BuildError && err.exitCode ? { code: err.exitCode } : {}) }, error: message });
    }
    res.end();
  } finally {
    context.dispose();
  }
}

export function buildRoutes(router: RouteTable): void {
  router
    .add('POST', '/build', { fn: buildImage })
    // The classic builder's cache is its images (removed by image prune): no separate cache to prune.
    .add('POST', '/build/prune', { fn: async (ctx) => sendJson(response(ctx), 200, { CachesDeleted: [], SpaceReclaimed: 0 }) });
}
