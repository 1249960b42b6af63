// docker's STATUS text of a container (`Up 5 seconds`, `Exited (3) 2 minutes ago`): the daemon computes it
// for GET /containers/json and the CLI prints the same in `ps`, so it is the engine's.
import type { Container } from './types.js';

/** Go-units HumanDuration, as docker prints "Up 5 seconds" and "3 minutes ago". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export function statusText(c: Container, now = Date.now()): string {
  const s = c.State;
  const since = (iso: string): string => humanDuration(now - Date.parse(iso));
  switch (s.Status) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${since(s.StartedAt)}`;
    case 'paused':
      return `Up ${since(s.StartedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  }
}
