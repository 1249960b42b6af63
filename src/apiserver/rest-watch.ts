// WATCH: a chunked stream of {"type":…,"object":…} JSON values (kubectl-compat §8) served from the
// watch cache. resourceVersion unset or "0" starts with synthetic ADDED events for the current state;
// a specific one replays the cache's window after it, or ends with a 410 Expired ERROR event.
import { apiVersionOf, badRequest, gone, queryBool, storageInfo } from '../api/index.js';
import type { WatchEventType } from '../storage/index.js';
import type { ResourceContext } from './context.js';
import { statusOf } from './http-util.js';
import { tableOf } from './model.js';
import { outputObject } from './objects.js';
import { includeObjectOf, negotiateOrFail, selectionOf } from './rest-read.js';
import { jsonOf, TooOldError, type CacheWatcher, type CachedObject } from './watch-cache.js';

const BOOKMARK_INTERVAL_MS = 30_000;
/** Like kube's MinRequestTimeout (1800 s) with jitter, so watches without timeoutSeconds are renewed. */
const DEFAULT_TIMEOUT_S = 1800;
/** A watcher this far behind (bytes buffered) is dropped rather than letting memory grow. */
const MAX_BUFFERED = 64 * 1024 * 1024;

export async function watchObjects(ctx: ResourceContext): Promise<void> {
  const { req, res, query, info, core } = ctx;
  const out = negotiateOrFail(ctx, true, true);
  const sel = selectionOf(ctx);
  const rvText = query.get('resourceVersion') ?? '';
  if (rvText && !/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: ${rvText}`);
  const fromRv = Number(rvText || 0);
  const bookmarks = queryBool(query, 'allowWatchBookmarks');
  const sendInitial = queryBool(query, 'sendInitialEvents');
  const timeoutS = Number(query.get('timeoutSeconds') ?? 0) || DEFAULT_TIMEOUT_S * (1 + Math.random());
  const include = out.kind === 'table' ? includeObjectOf(query) : 'Metadata';
  const converted = storageInfo(info) !== info;
  const cache = core.cache.cache(info.storageResource);
  const apiVersion = apiVersionOf(info.group, info.version);

  let firstTable = true;
  const encode = (type: WatchEventType | 'BOOKMARK', o: CachedObject): string => {
    if (out.kind === 'table') {
      // Only the first event carries the column definitions, as kube's watch encoder does.
      const table = tableOf(info, [outputObject(info, o.obj)], include, out.version, { resourceVersion: o.obj.metadata.resourceVersion }, !firstTable);
      firstTable = false;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    }
    if (out.kind === 'partial') {
      return `{"type":"${type}","object":${JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${out.version}`, metadata: o.obj.metadata })}}\n`;
    }
    return `{"type":"${type}","object":${converted ? JSON.stringify(outputObject(info, o.obj)) : jsonOf(o)}}\n`;
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  req.socket.setNoDelay(true);

  let lastRv = fromRv;
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (ended) return;
    ended = true;
    cache.unwatch(watcher);
    for (const t of timers) clearTimeout(t), clearInterval(t);
    core.metrics.openWatches--;
    core.stopping.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  };
  const write = (chunk: string): void => {
    if (ended) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED) finish();
  };
  const bookmark = (extra?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(Math.max(lastRv, core.cache.revision)) };
    if (extra) metadata.annotations = extra;
    write(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: info.kind, apiVersion, metadata })}}\n`);
  };
  const watcher: CacheWatcher = {
    keyPrefix: sel.prefix,
    matches: sel.matches,
    send: (type, o) => {
      lastRv = Math.max(lastRv, o.rv);
      write(encode(type, o));
    },
    close: finish,
  };

  core.metrics.openWatches++;
  res.on('close', finish);
  res.on('error', finish);
  core.stopping.addEventListener('abort', finish);
  timers.push(setTimeout(finish, timeoutS * 1000));
  if (bookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));

  try {
    if (sendInitial || fromRv === 0) {
      cache.watchWithInitialState(watcher);
      if (sendInitial && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      cache.watchFrom(watcher, fromRv);
    }
  } catch (err) {
    const status = err instanceof TooOldError ? gone(err.message).toStatus() : statusOf(err);
    write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    finish();
  }
}
