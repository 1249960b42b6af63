// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection package does it:
// candidates try to take the Lease when its holder has not renewed it for leaseDuration (measured on
// our own clock from when we last saw it change, so clock skew does not matter); the leader renews
// every retryPeriod and gives up leading if it could not renew within renewDeadline.
import type { KubeObject } from '../api/index.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { sleep } from './backoff.js';
import { logError } from './log.js';
import { microTime, refs } from './refs.js';
import { ResourceClient } from './resource.js';
import type { RestClient } from './rest.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec: LeaseSpec;
}

export interface LeaderElectionOptions {
  rest: RestClient;
  /** The Lease's name, e.g. "kube-scheduler". */
  name: string;
  namespace?: string;
  /** Unique per candidate: hostname plus a random suffix, as kube components use. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Start working; `signal` aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
}

export class LeaderElector {
  private readonly leases: ResourceClient<Lease>;
  private readonly namespace: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopping = new AbortController();
  private observed?: Lease;
  private observedAt = 0;
  private leader = '';
  private leading = false;
  private running?: Promise<void>;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leases = new ResourceClient<Lease>(options.rest, refs.leases);
    this.namespace = options.namespace ?? 'kube-system';
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
  }

  start(): void {
    this.running ??= this.run();
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The identity holding the Lease as last observed ("" when unknown). */
  currentLeader(): string {
    return this.leader;
  }

  /** Stops competing; a leader releases the Lease so another candidate takes over at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      while (!signal.aborted && !(await this.tryAcquireOrRenew())) {
        await sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), signal);
      }
      if (signal.aborted) return;
      this.leading = true;
      const lead = new AbortController();
      try {
        this.options.onStartedLeading(lead.signal);
      } catch (err) {
        logError('leader-election', 'onStartedLeading failed', err);
      }
      let lastRenew = Date.now();
      while (!signal.aborted) {
        await sleep(this.retryPeriodMs, signal);
        if (signal.aborted) break;
        if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
        else if (Date.now() - lastRenew >= this.renewDeadlineMs) break;
      }
      this.leading = false;
      lead.abort();
      if (signal.aborted) await this.release();
      else logError('leader-election', `lost lease ${this.namespace}/${this.options.name}`);
      try {
        this.options.onStoppedLeading?.();
      } catch (err) {
        logError('leader-election', 'onStoppedLeading failed', err);
      }
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const identity = this.options.identity;
    const durationSeconds = Math.max(1, Math.round(this.leaseDurationMs / 1000));
    let current: Lease;
    try {
      current = await this.leases.get(this.options.name, this.namespace);
    } catch (err) {
      if (!isNotFound(err)) {
        logError('leader-election', `cannot read lease ${this.namespace}/${this.options.name}`, err);
        return false;
      }
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      };
      try {
        this.see(await this.leases.create(lease), Date.now());
        return true;
      } catch (createErr) {
        if (!isAlreadyExists(createErr)) logError('leader-election', 'cannot create lease', createErr);
        return false;
      }
    }
    const spec = current.spec ?? {};
    if (!this.observed || this.observed.spec?.holderIdentity !== spec.holderIdentity || this.observed.spec?.renewTime !== spec.renewTime) {
      this.see(current, Date.now());
    }
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== identity;
    const observedDurationMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (heldByOther && this.observedAt + observedDurationMs > Date.now()) return false;
    const next: Lease = {
      ...current,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: holder === identity ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1),
      },
    };
    try {
      this.see(await this.leases.update(next), Date.now());
      return true;
    } catch (err) {
      if (!isConflict(err)) logError('leader-election', `cannot update lease ${this.namespace}/${this.options.name}`, err);
      return false;
    }
  }

  private see(lease: Lease, at: number): void {
    this.observed = lease;
    this.observedAt = at;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.leader) {
      this.leader = holder;
      if (holder) this.options.onNewLeader?.(holder);
    }
  }

  /** Hands the Lease back (empty holder, 1 s duration) so a standby need not wait out the lease. */
  private async release(): Promise<void> {
    if (!this.observed || this.observed.spec?.holderIdentity !== this.options.identity) return;
    const now = microTime();
    try {
      await this.leases.update({
        ...this.observed,
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observed.spec.leaseTransitions },
      });
    } catch (err) {
      logError('leader-election', 'cannot release lease', err);
    }
  }
}
