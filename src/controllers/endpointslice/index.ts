// The EndpointSlice controller (with EndpointSlice mirroring of selectorless Services' Endpoints).
export { EndpointSliceController, ENDPOINT_SLICES, type EndpointSlice } from './controller.js';
export {
  groupsFromPods,
  groupsFromEndpoints,
  desiredSlices,
  portsKey,
  MAX_ENDPOINTS_PER_SLICE,
  SERVICE_NAME_LABEL,
  MANAGED_BY_LABEL,
  CONTROLLER_MANAGER,
  MIRRORING_MANAGER,
  SKIP_MIRROR_LABEL,
  type SliceEndpoint,
  type SlicePort,
  type SliceGroup,
  type DesiredSlice,
} from './slices.js';
