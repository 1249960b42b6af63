// The Endpoints controller, and the service/pod rules it shares with the EndpointSlice controller.
export { EndpointsController, SERVICES, ENDPOINTS, type Endpoints } from './controller.js';
export { computeSubsets, compareIP, type EndpointSubset, type EndpointAddress, type EndpointPort } from './subsets.js';
export { servicesOfPod, podServicesHandler } from './pod-services.js';
export {
  serviceSelector,
  wantsEndpoints,
  isHeadless,
  shouldPodBeInEndpoints,
  podIP,
  podReadyForService,
  findPort,
  podHostname,
  podTargetRef,
  endpointLabels,
  type Service,
  type ServicePort,
  type EndpointPod,
  type ContainerPort,
} from './service-pods.js';
