// The garbage collector over ownerReferences, and the list of deletable resources it shares with the
// namespace controller.
export { GarbageCollector } from './controller.js';
export { OwnerGraph, ORPHAN_FINALIZER, FOREGROUND_FINALIZER, hasFinalizer, deletingInForeground, type GraphNode } from './graph.js';
export { deletableResources, resourceOfRef } from './resources.js';
