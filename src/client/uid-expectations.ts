// client-go's UIDTrackingControllerExpectations: deletions are expected by pod key, so a pod seen first
// with a deletionTimestamp and then deleted counts once — counting both would let a controller believe
// its deletions were all observed and delete again.
import { ControllerExpectations } from './expectations.js';

export class UIDTrackingExpectations extends ControllerExpectations {
  private readonly deleting = new Map<string, Set<string>>();

  expectPodDeletions(key: string, podKeys: string[]): void {
    this.deleting.set(key, new Set(podKeys));
    this.expectDeletions(key, podKeys.length);
  }

  /** A pod expected to go away was seen deleted (or its deletion failed); other pods are ignored. */
  podDeletionObserved(key: string, podKey: string): void {
    const pending = this.deleting.get(key);
    if (!pending?.delete(podKey)) return;
    this.deletionObserved(key);
  }

  override delete(key: string): void {
    this.deleting.delete(key);
    super.delete(key);
  }
}
