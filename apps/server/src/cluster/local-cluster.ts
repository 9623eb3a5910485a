import { randomUUID } from 'node:crypto';
import type { ConnectionRegistry } from '../gateway/connection-registry.ts';
import { memoryLimiters } from '../http/rate-limit.ts';
import type { Activity, Cluster } from './cluster.ts';
import { KeyedLock } from './keyed-lock.ts';

/** One instance: frames go straight to this process's sockets; there is nobody to coordinate with. */
export function createLocalCluster(registry: ConnectionRegistry): Cluster {
  let source = (): Activity => ({ connections: 0, replies: 0 });
  const locks = new KeyedLock();
  return {
    instanceId: randomUUID(),
    toUser: (userId, frame, except) => registry.sendToUser(userId, frame, except),
    control: () => {},
    onControl: () => {},
    claimChat: async () => async () => {},
    chatClaimed: async () => false,
    exclusive: (key, task) => locks.run(key, task),
    limiters: memoryLimiters,
    setActivitySource: (next) => {
      source = next;
    },
    activity: async () => ({ ...source(), instances: 1 }),
    check: async () => {},
    close: async () => {},
  };
}
