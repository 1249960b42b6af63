// PersistentVolume binding, reclaiming (Delete, Recycle) and the built-in local-path provisioner.
export { PersistentVolumeController, STORAGE_CLASSES, LOCAL_PATH_PROVISIONER, LOCAL_PATH_CLASS, DEFAULT_CLASS_ANNOTATION, DEFAULT_STORAGE_DIR } from './controller.js';
export { recyclerPod, recycleTimeoutSeconds, RECYCLER_POD_PREFIX } from './recycler.js';
