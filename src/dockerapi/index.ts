// The Docker Engine API over the engine library (`skiff system service`): the real docker CLI and
// dockerode drive skiff's containers through it. Other folders import only this file.
export { startDockerApi, API_VERSION, MIN_API_VERSION, type DockerApiOptions, type DockerApiServer } from './server.js';
export type { VerbHelpers } from './context.js';
