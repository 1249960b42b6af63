// The registry folder's API: the distribution server (`skiff registry serve`) and the client
// (pull, push, login) with docker's credential and daemon.json settings.
export { RegistryServer, type RegistryServerOptions } from './server/server.js';
export { RegistryClient, RegistryError, RegistryUnreachableError, parseChallenge, type BlobStore, type RegistryClientOptions } from './client/client.js';
export {
  loadCredentials, saveCredentials, removeCredentials, dockerConfigPath, loadRegistrySettings, isInsecure, authKey, DOCKER_HUB_AUTH_KEY,
  type Credentials, type RegistrySettings,
} from './client/config.js';
export * from './types.js';
export { pullImage, shortId, DEFAULT_PLATFORM, type PulledImage, type PullOptions, type Platform } from './client/pull.js';
export { pushImage, type PushableImage, type PushOptions } from './client/push.js';
export { clientsFor, repositoryTags, type ImageRef, type ClientContext } from './client/endpoints.js';
export { createProgress, silentProgress, type ProgressOutput } from './client/progress.js';
export { engineConfigFile, engineRegistrySettings, layerBlobs, manifestFor, pullToEngine, pushFromEngine, type TransferOptions } from './engine-images.js';
export { saveImages, loadArchive, ArchiveError } from './archive.js';
export { searchRegistry, searchTarget, type SearchResult } from './client/search.js';
