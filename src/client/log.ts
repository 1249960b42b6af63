// Where the client machinery reports failures it recovers from by itself (a dropped watch, a failed
// event write): one line on stderr, so a component's log shows them without anyone having to catch them.
// SKIFF_QUIET=1 silences them (benchmarks); SKIFF_DEBUG=1 adds the routine ones (relists, retries).

export function logError(component: string, message: string, err?: unknown): void {
  if (process.env.SKIFF_QUIET === '1') return;
  const detail = err === undefined ? '' : `: ${err instanceof Error ? err.message : String(err)}`;
  process.stderr.write(`${new Date().toISOString()} ${component}: ${message}${detail}\n`);
}

export function logDebug(component: string, message: string): void {
  if (process.env.SKIFF_DEBUG === '1') process.stderr.write(`${new Date().toISOString()} ${component}: ${message}\n`);
}
