import { randomUUID } from 'node:crypto';
import type { ConnectionRegistry } from '../gateway/connection-registry.ts';
import type { Cluster } from './cluster.ts';

/** One instance: frames go straight to this process's sockets; there is nobody to coordinate with. */
export function createLocalCluster(registry: ConnectionRegistry): Cluster {
  return {
    instanceId: randomUUID(),
    toUser: (userId, frame, except) => registry.sendToUser(userId, frame, except),
    control: () => {},
    onControl: () => {},
    claimChat: async () => async () => {},
    chatClaimed: async () => false,
    check: async () => {},
    close: async () => {},
  };
}
