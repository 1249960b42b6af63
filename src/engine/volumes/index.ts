// Volumes (docker's local driver) of one engine root.
export { VolumeStore, volumesOf, ANONYMOUS_LABEL, type Volume } from './store.js';
export { parseMountFlag } from './mount-flag.js';
export { usersByVolume, pruneVolumes } from './usage.js';
