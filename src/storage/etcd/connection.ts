// gRPC connections to the members of an etcd cluster: one client per endpoint, calls rotate to the
// next member when one fails, and give up with UnavailableError when no member answers in time.
// Reads are retried on any transport failure; writes only when etcd cannot have applied them (no
// connection, or the member had no leader), as etcd's own clientv3 does, so a retried guarded
// write never reports a false conflict.
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { StoreError, UnavailableError } from '../store.js';
import { etcdPackageDefinition, type WatchRequest, type WatchResponse } from './proto.js';

export interface EtcdConnectionOptions {
  /** Client URLs: http://host:port (plain) or https://host:port (TLS). */
  endpoints: string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** How long one call may keep trying the members before UnavailableError (default 10 s). */
  requestTimeoutMs?: number;
}

type UnaryMethod = 'Range' | 'Txn' | 'Compact' | 'Status';
type UnaryCall = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response: unknown) => void) => void;

interface Member {
  endpoint: string;
  kv: grpc.Client;
  watch: grpc.Client;
  maintenance: grpc.Client;
}

/** An etcd error that says the request was refused before it could be applied. */
export class EtcdRequestError extends StoreError {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`etcd: ${details}`);
  }
}

/** A read that a member has not answered in this long is tried on the next member. */
const READ_ATTEMPT_TIMEOUT_MS = 3000;

/**
 * etcd's "require leader" metadata (clientv3.WithRequireLeader): a member without a leader refuses
 * at once with "no leader" (safe to retry elsewhere) instead of holding the request until it times
 * out, and ends watch streams when it loses its leader, so they move to a member that has one.
 */
function requireLeader(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('hasleader', 'true');
  return metadata;
}

const services = grpc.loadPackageDefinition(etcdPackageDefinition) as unknown as {
  etcdserverpb: { KV: grpc.ServiceClientConstructor; Watch: grpc.ServiceClientConstructor; Maintenance: grpc.ServiceClientConstructor };
};

function channelCredentials(url: URL, options: EtcdConnectionOptions): grpc.ChannelCredentials {
  if (url.protocol === 'http:') return grpc.credentials.createInsecure();
  if (url.protocol !== 'https:') throw new StoreError(`etcd endpoint ${url.href}: the scheme must be http or https`);
  const read = (file?: string): Buffer | null => (file ? fs.readFileSync(file) : null);
  return grpc.credentials.createSsl(read(options.caFile), read(options.keyFile), read(options.certFile));
}

/** True when the failure proves the request was not applied, so even a write may be sent again. */
function notApplied(err: grpc.ServiceError): boolean {
  const details = err.details ?? '';
  // grpc-js says "Waiting for LB pick" when the deadline passed before the call found a connection.
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return /Waiting for LB pick/i.test(details);
  if (err.code !== grpc.status.UNAVAILABLE) return false;
  return /no connection established|ECONNREFUSED|etcdserver: no leader|etcdserver: not capable/i.test(details);
}

function transient(err: grpc.ServiceError): boolean {
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) return true;
  // A member without quorum lets a linearizable request run out its time on the server side and answers
  // with the context's error (code Unknown) or etcd's own timeout: the cluster, not the request, failed.
  return /context deadline exceeded|etcdserver: request timed out/i.test(err.details ?? '');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class EtcdConnection {
  private readonly members: Member[];
  /** The member that answered last; calls start there. */
  private preferred = 0;
  private closed = false;
  readonly requestTimeoutMs: number;

  constructor(options: EtcdConnectionOptions) {
    if (options.endpoints.length === 0) throw new StoreError('no etcd endpoint given');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const channelOptions: grpc.ChannelOptions = {
      // A member that comes back must be used again within a second, not after grpc's 2-minute backoff.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_receive_message_length': 256 * 2 ** 20,
    };
    this.members = options.endpoints.map((endpoint) => {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw new StoreError(`etcd endpoint ${JSON.stringify(endpoint)} is not a URL like http://127.0.0.1:2379`);
      }
      const credentials = channelCredentials(url, options);
      const target = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 2379)}`;
      return {
        endpoint,
        kv: new services.etcdserverpb.KV(target, credentials, channelOptions),
        watch: new services.etcdserverpb.Watch(target, credentials, channelOptions),
        maintenance: new services.etcdserverpb.Maintenance(target, credentials, channelOptions),
      };
    });
  }

  /** One unary call, moving through the members until one answers or the time is up. */
  async call<Res>(method: UnaryMethod, request: object, write: boolean): Promise<Res> {
    const deadline = Date.now() + this.requestTimeoutMs;
    let lastError: grpc.ServiceError | undefined;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new StoreError('store is closed');
      const index = (this.preferred + attempt) % this.members.length;
      const member = this.members[index];
      // A write that timed out cannot be retried (it may have been applied), so it gets the whole budget.
      const attemptDeadline = write ? deadline : Math.min(deadline, Date.now() + READ_ATTEMPT_TIMEOUT_MS);
      try {
        const response = await new Promise<Res>((resolve, reject) => {
          const client = method === 'Status' ? member.maintenance : member.kv;
          const unary = (client as unknown as Record<UnaryMethod, UnaryCall>)[method].bind(client);
          unary(request, requireLeader(), { deadline: attemptDeadline }, (err, res) => (err ? reject(err) : resolve(res as Res)));
        });
        this.preferred = index;
        return response;
      } catch (error) {
        const err = error as grpc.ServiceError;
        if (!transient(err)) throw new EtcdRequestError(err.code, err.details ?? err.message);
        lastError = err;
        if (write && !notApplied(err)) {
          throw new UnavailableError(`etcd did not confirm the write (${member.endpoint}: ${err.details}); it may or may not have been applied`);
        }
      }
      // An attempt with almost no time left could only time out; report the last real failure instead.
      if (deadline - Date.now() < 50) break;
      // Each member once quickly, then back off while the cluster elects a leader or a member returns.
      if ((attempt + 1) % this.members.length === 0) {
        const backoff = Math.min(1000, 100 * 2 ** Math.floor(attempt / this.members.length));
        await sleep(Math.min(backoff, deadline - Date.now() - 50));
      }
    }
    throw new UnavailableError(`etcd is unavailable at ${this.members.map((m) => m.endpoint).join(',')}: ${lastError?.details ?? 'no answer'}`);
  }

  /** Opens a watch stream on the next member in turn (each reconnect tries another one). */
  openWatchStream(attempt: number): grpc.ClientDuplexStream<WatchRequest, WatchResponse> {
    const member = this.members[(this.preferred + attempt) % this.members.length];
    return (member.watch as unknown as { Watch(metadata: grpc.Metadata): grpc.ClientDuplexStream<WatchRequest, WatchResponse> }).Watch(requireLeader());
  }

  close(): void {
    this.closed = true;
    for (const member of this.members) {
      member.kv.close();
      member.watch.close();
      member.maintenance.close();
    }
  }
}
