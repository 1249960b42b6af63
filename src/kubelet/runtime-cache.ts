// The kubelet's view of the runtime (kubelet's runtime cache): one listing of sandboxes and containers
// shared by every pod worker, PLEG and the streaming lookups, instead of a full listing per question. A
// listing costs a read of every container's state (with a hundred pods, hundreds of files); pod workers
// ask several times per sync. A change made through this runtime updates just its own entries; the whole
// listing is taken again when PLEG asks (every second, which is how container exits are seen anyway) and
// once it is older than MAX_AGE_MS.
import { containerMatches, Runtime, sandboxMatches, type ContainerFilter, type ContainerStatusCRI, type PodSandboxStatus, type SandboxFilter } from '../engine/index.js';

const MAX_AGE_MS = 1000;

export class CachedRuntime extends Runtime {
  private listing?: { at: number; containers: ContainerStatusCRI[]; sandboxes: PodSandboxStatus[] };

  /** The next question lists the runtime again. */
  invalidate(): void {
    this.listing = undefined;
  }

  private current(): { containers: ContainerStatusCRI[]; sandboxes: PodSandboxStatus[] } {
    if (!this.listing || Date.now() - this.listing.at > MAX_AGE_MS) {
      this.listing = { at: Date.now(), containers: super.listContainers(), sandboxes: super.listPodSandbox() };
    }
    return this.listing;
  }

  override listContainers(filter: ContainerFilter = {}): ContainerStatusCRI[] {
    return this.current().containers.filter((s) => containerMatches(s, filter));
  }

  override listPodSandbox(filter: SandboxFilter = {}): PodSandboxStatus[] {
    return this.current().sandboxes.filter((s) => sandboxMatches(s, filter));
  }

  /**
   * Brings the listing up to date after a change to one container or sandbox: only that entry (and a
   * sandbox's members) is read again, not the whole runtime.
   */
  private async changing<T>(change: Promise<T>, target: { container?: string; sandbox?: string } | ((result: T) => { container?: string; sandbox?: string })): Promise<T> {
    let result: T;
    try {
      result = await change;
    } catch (err) {
      this.invalidate();
      throw err;
    }
    const listing = this.listing;
    if (!listing) return result;
    const { container, sandbox } = typeof target === 'function' ? target(result) : target;
    try {
      if (container) listing.containers = upsert(listing.containers, container, this.containerStatusIfAny(container));
      if (sandbox) {
        listing.sandboxes = upsert(listing.sandboxes, sandbox, this.sandboxStatusIfAny(sandbox));
        for (const member of listing.containers.filter((c) => c.podSandboxId === sandbox)) {
          listing.containers = upsert(listing.containers, member.id, this.containerStatusIfAny(member.id));
        }
      }
    } catch {
      this.invalidate();
    }
    return result;
  }

  private containerStatusIfAny(id: string): ContainerStatusCRI | undefined {
    try {
      return this.containerStatus(id);
    } catch {
      return undefined;
    }
  }

  private sandboxStatusIfAny(id: string): PodSandboxStatus | undefined {
    try {
      return this.podSandboxStatus(id);
    } catch {
      return undefined;
    }
  }

  override runPodSandbox(...args: Parameters<Runtime['runPodSandbox']>): Promise<string> {
    return this.changing(super.runPodSandbox(...args), (id) => ({ sandbox: id }));
  }

  override stopPodSandbox(id: string): Promise<void> {
    return this.changing(super.stopPodSandbox(id), { sandbox: id });
  }

  override removePodSandbox(id: string): Promise<void> {
    return this.changing(super.removePodSandbox(id), { sandbox: id });
  }

  override createContainer(...args: Parameters<Runtime['createContainer']>): Promise<string> {
    return this.changing(super.createContainer(...args), (id) => ({ container: id }));
  }

  override startContainer(id: string): Promise<void> {
    return this.changing(super.startContainer(id), { container: id });
  }

  override stopContainer(id: string, timeoutSec: number): Promise<void> {
    return this.changing(super.stopContainer(id, timeoutSec), { container: id });
  }

  override removeContainer(id: string): Promise<void> {
    return this.changing(super.removeContainer(id), { container: id });
  }
}

/** The list with the entry of `id` replaced by `next` (or removed when there is none now). */
function upsert<T extends { id: string }>(list: T[], id: string, next: T | undefined): T[] {
  const rest = list.filter((x) => x.id !== id);
  return next ? [...rest, next] : rest;
}
