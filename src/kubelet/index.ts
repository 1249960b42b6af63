export { hostNames, dataDirTag, DEFAULT_DATA_DIR, type HostNames } from './host-names.js';
