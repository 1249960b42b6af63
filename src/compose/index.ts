// Compose files on the engine: loading (lookup, .env, interpolation, merge, normalisation) and the
// project runner (up/down/start/stop/… over containers labelled with the project).
export { loadProject, findComposeFiles, normalizeProjectName, DEFAULT_FILES, type LoadOptions } from './load.js';
export { interpolateString, interpolateTree, InterpolationError } from './interpolate.js';
export { parseDotenv, DotenvError } from './dotenv.js';
export { mergeService, mergeValue } from './merge.js';
export { normalizeService, parsePortShort, parseVolumeShort, splitCommand, replicas } from './normalize.js';
export { dependencyOrder, withDependencies } from './order.js';
export { runArgs, containerLabels, containerName, configHash, imageName, serviceNetworks, networkAliases, restartPolicy, LABEL, COMPOSE_VERSION, type ContainerRequest } from './service-args.js';
export {
  up, down, start, stop, restart, kill, rm, prepare, projectContainers, containerNumber, serviceOf, checkServices, enableNamed, readProjectLogs, type ComposeHost, type UpOptions, type ContainerQuery, type LogLine,
} from './project.js';
export { ComposeError, type Project, type Service, type PortConfig, type ServiceVolume, type NetworkConfig, type VolumeConfig, type Dependency, type Healthcheck } from './types.js';
