// The service load balancer: node addresses as EXTERNAL-IP of LoadBalancer Services (k3s's ServiceLB).
export { ServiceLBController } from './controller.js';
export { loadBalancerIngress, eligibleNodes, servedByUs, ENABLE_LB_LABEL, type LBNode, type LBService } from './addresses.js';
