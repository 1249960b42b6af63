// PersistentVolume binding and the built-in local-path provisioner.
export { PersistentVolumeController, STORAGE_CLASSES, LOCAL_PATH_PROVISIONER, LOCAL_PATH_CLASS, DEFAULT_CLASS_ANNOTATION, SELECTED_NODE_ANNOTATION, DEFAULT_STORAGE_DIR } from './controller.js';
export { bestMatch, fits, claimClass, type PersistentVolume, type PersistentVolumeClaim, type ClaimRef } from './matching.js';
