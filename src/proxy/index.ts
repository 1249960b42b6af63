export { type ServicePort, type ProxyEndpoint, type Protocol, servicePortName } from './model.js';
export { buildRules, chainNames, type ChainNames, type RuleSet } from './iptables-rules.js';
export { IptablesProxier, removeProxyRules, ownsChain, type IptablesProxierOptions } from './iptables.js';
export { ensureServiceRoute, removeServiceRoute } from './service-route.js';
export { UserspaceProxier, type UserspaceProxierOptions } from './userspace.js';
export { servicePortsFrom, SERVICE_NAME_LABEL } from './service-ports.js';
export { startServiceProxy, type ServiceProxy, type ServiceProxyOptions, type ProxyMode } from './runner.js';
