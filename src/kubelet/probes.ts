// Container probes (pkg/kubelet/prober): exec, httpGet, tcpSocket and grpc checks, run periodically
// per container with initialDelay/period/timeout and success/failure thresholds. Startup gates the
// other two; liveness failures ask the pod worker to restart the container; readiness drives the
// container's ready flag. The same handlers run lifecycle hooks (postStart, preStop).
import http from 'node:http';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { grpcHealthCheck } from './grpc-health.js';
import type { Container, Probe, ProbeHandler } from '../client/index.js';

export interface ProbeTarget {
  /** The address probes dial, as messages name it (the pod IP, 127.0.0.1 with hostNetwork). */
  host: string;
  exec(cmd: string[], timeoutSec: number): Promise<{ exitCode: number; timedOut: boolean; output: string }>;
  dial(port: number, timeoutMs: number): Promise<Duplex>;
}

export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

export function resolvePort(c: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = c.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port ${port} in container ${c.name}`);
  return found.containerPort;
}

function httpGet(sock: Duplex, h: NonNullable<ProbeHandler['httpGet']>, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const stream = h.scheme === 'HTTPS' ? tls.connect({ socket: sock as unknown as import('node:net').Socket, rejectUnauthorized: false }) : sock;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.33', Accept: '*/*', Connection: 'close' };
  for (const hd of h.httpHeaders ?? []) headers[hd.name] = hd.value;
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.Host = `${h.host ?? 'localhost'}:${port}`;
  return new Promise((resolve) => {
    const req = http.request({ method: 'GET', path: h.path || '/', headers, createConnection: () => stream as unknown as import('node:net').Socket, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => sock.destroy());
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.once('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.once('error', (err) => {
      sock.destroy();
      resolve({ ok: false, message: `Get "${h.scheme === 'HTTPS' ? 'https' : 'http'}://${h.host ?? 'pod'}:${port}${h.path || '/'}": ${err.message}` });
    });
    req.end();
  });
}

/** Runs one handler once; `timeoutSec` bounds it. */
export async function runHandler(c: Container, h: ProbeHandler, target: ProbeTarget, timeoutSec: number): Promise<ProbeOutcome> {
  try {
    if (h.exec) {
      const r = await target.exec(h.exec.command ?? [], timeoutSec);
      if (r.timedOut) return { ok: false, message: `command timed out after ${timeoutSec}s` };
      return r.exitCode === 0 ? { ok: true, message: '' } : { ok: false, message: r.output || `command exited with ${r.exitCode}` };
    }
    if (h.httpGet) {
      const port = resolvePort(c, h.httpGet.port);
      const sock = await target.dial(port, timeoutSec * 1000);
      return await httpGet(sock, h.httpGet, port, timeoutSec * 1000);
    }
    if (h.tcpSocket) {
      const sock = await target.dial(resolvePort(c, h.tcpSocket.port), timeoutSec * 1000);
      sock.destroy();
      return { ok: true, message: '' };
    }
    if (h.grpc) {
      const addr = `${target.host || 'localhost'}:${h.grpc.port}`;
      let sock: Duplex;
      try {
        sock = await target.dial(h.grpc.port, timeoutSec * 1000);
      } catch (err) {
        return { ok: false, message: `error: failed to connect service at "${addr}": ${err instanceof Error ? err.message : String(err)}` };
      }
      return await grpcHealthCheck(sock, addr, h.grpc.service ?? '', timeoutSec * 1000);
    }
    return { ok: false, message: 'probe has no handler' };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

export interface ProberEvents {
  /** Ready or started changed: the pod's status needs an update. */
  changed(): void;
  /** Liveness or startup failed past its threshold: the container must be restarted. */
  unhealthy(kind: ProbeKind, message: string): void;
  /** A failed probe (each time), for the pod's events. */
  failed(kind: ProbeKind, message: string): void;
}

/** The probes of one running container; stop() when the container stops. */
export class ContainerProber {
  ready: boolean;
  started: boolean;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly c: Container,
    private readonly target: ProbeTarget,
    private readonly events: ProberEvents,
    /** When the container started (ms): initial delays count from there. */
    startedAtMs: number,
  ) {
    this.ready = !c.readinessProbe;
    this.started = !c.startupProbe;
    const delay = (p: Probe): number => Math.max(0, startedAtMs + (p.initialDelaySeconds ?? 0) * 1000 - Date.now());
    if (c.startupProbe) this.loop('Startup', c.startupProbe, delay(c.startupProbe));
    if (c.livenessProbe) this.loop('Liveness', c.livenessProbe, delay(c.livenessProbe));
    if (c.readinessProbe) this.loop('Readiness', c.readinessProbe, delay(c.readinessProbe));
  }

  private loop(kind: ProbeKind, p: Probe, firstDelay: number): void {
    const period = (p.periodSeconds ?? 10) * 1000;
    const successThreshold = kind === 'Readiness' ? (p.successThreshold ?? 1) : 1;
    const failureThreshold = p.failureThreshold ?? 3;
    let successes = 0;
    let failures = 0;
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      // Liveness and readiness wait for the startup probe (kubelet's prober worker does the same).
      if (kind !== 'Startup' && !this.started) return this.schedule(tick, period);
      if (kind === 'Startup' && this.started) return;
      const r = await runHandler(this.c, p, this.target, p.timeoutSeconds ?? 1);
      if (this.stopped) return;
      if (r.ok) {
        failures = 0;
        successes++;
        if (successes >= successThreshold) this.set(kind, true);
      } else {
        successes = 0;
        failures++;
        this.events.failed(kind, r.message);
        if (failures >= failureThreshold) {
          this.set(kind, false);
          if (kind !== 'Readiness') {
            this.events.unhealthy(kind, r.message);
            return;
          }
        }
      }
      this.schedule(tick, period);
    };
    this.schedule(tick, firstDelay);
  }

  private set(kind: ProbeKind, ok: boolean): void {
    if (kind === 'Readiness' && this.ready !== ok) {
      this.ready = ok;
      this.events.changed();
    }
    if (kind === 'Startup' && ok && !this.started) {
      this.started = true;
      this.events.changed();
    }
  }

  private schedule(fn: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
