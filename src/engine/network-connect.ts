// docker network connect / disconnect of a running container: the attachment made by the engine root's
// networks and the container's NetworkSettings kept in step with it — for the CLI verbs and the Engine API.
import type { Engine } from './engine.js';
import { invalid } from './errors.js';
import type { EngineNetworks } from './networks/index.js';

export async function connectContainer(engine: Engine, nets: EngineNetworks, networkRef: string, containerRef: string, o: { aliases?: string[]; ip?: string } = {}): Promise<void> {
  const n = nets.get(networkRef);
  const c = engine.containers.get(containerRef);
  if (!c.State.Running || !c.NetworkSettings.SandboxKey) throw invalid(`container ${c.Id} is not running`);
  const att = await nets.connect({ containerId: c.Id, containerName: c.Name.slice(1), netnsPath: c.NetworkSettings.SandboxKey }, n.Id, { aliases: o.aliases ?? [], ip: o.ip });
  engine.containers.update(c.Id, (cur) => {
    cur.NetworkSettings.Networks[att.name] = { IPAddress: att.ipAddress, Gateway: att.gateway, IPPrefixLen: att.ipPrefixLen, MacAddress: att.macAddress, NetworkID: att.networkId };
  });
}

export async function disconnectContainer(engine: Engine, nets: EngineNetworks, networkRef: string, containerRef: string): Promise<void> {
  const n = nets.get(networkRef);
  const c = engine.containers.get(containerRef);
  await nets.disconnect(c.Id, n.Id);
  engine.containers.update(c.Id, (cur) => {
    delete cur.NetworkSettings.Networks[n.Name];
  });
}
