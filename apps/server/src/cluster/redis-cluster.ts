import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ConnectionRegistry } from '../gateway/connection-registry.ts';
import type { Logger } from '../logging/logger.ts';
import type { Cluster, ControlMessage } from './cluster.ts';

/** How long a chat's reply claim lives without renewal: a crashed instance frees its chats after this. */
const CLAIM_TTL_MS = 15_000;
const CLAIM_RENEW_MS = 5_000;

// Compare-and-act on a claim, so an instance only ever renews or frees its own.
const RENEW_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Several instances behind one proxy share one Redis: every frame for a user is delivered to this
 * instance's sockets at once and published for the others, in order (one publishing connection per
 * instance, and Redis keeps a connection's order). When Redis is away, each instance keeps serving
 * its own sockets, /health reports degraded, and ioredis reconnects and resubscribes by itself.
 */
export async function createRedisCluster(options: { url: string; registry: ConnectionRegistry; logger: Logger; prefix?: string }): Promise<Cluster> {
  const { registry, logger } = options;
  const prefix = options.prefix ?? 'parley:';
  const framesChannel = `${prefix}frames`;
  const controlChannel = `${prefix}control`;
  const instanceId = randomUUID();
  const redisOptions = {
    lazyConnect: true,
    // Fail fast while disconnected rather than queueing frames that would arrive stale.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  };
  const pub = new Redis(options.url, redisOptions);
  const sub = new Redis(options.url, { ...redisOptions, enableOfflineQueue: true });
  const controlListeners: ((message: ControlMessage) => void)[] = [];
  let lastWarning = 0;
  const warn = (err: unknown, what: string) => {
    // One line per ten seconds at most: a Redis outage must not flood the log.
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    logger.warn({ err }, `redis: ${what}`);
  };
  pub.on('error', (err) => warn(err, 'publisher error'));
  sub.on('error', (err) => warn(err, 'subscriber error'));

  sub.on('message', (channel: string, raw: string) => {
    if (channel === framesChannel) {
      // instanceId \n userId \n exceptConnectionId \n frame-json
      const a = raw.indexOf('\n');
      const b = raw.indexOf('\n', a + 1);
      const c = raw.indexOf('\n', b + 1);
      if (a < 0 || b < 0 || c < 0 || raw.slice(0, a) === instanceId) return;
      registry.sendRawToUser(raw.slice(a + 1, b), raw.slice(c + 1), raw.slice(b + 1, c) || undefined);
      return;
    }
    if (channel === controlChannel) {
      const sep = raw.indexOf('\n');
      if (raw.slice(0, sep) === instanceId) return;
      let message: ControlMessage;
      try {
        message = JSON.parse(raw.slice(sep + 1)) as ControlMessage;
      } catch {
        return;
      }
      for (const listener of controlListeners) listener(message);
    }
  });

  await Promise.all([pub.connect(), sub.connect()]);
  await sub.subscribe(framesChannel, controlChannel);
  const claimKey = (chatId: string) => `${prefix}reply:${chatId}`;

  return {
    instanceId,
    toUser(userId, frame, exceptConnectionId) {
      const data = JSON.stringify(frame);
      registry.sendRawToUser(userId, data, exceptConnectionId);
      pub.publish(framesChannel, `${instanceId}\n${userId}\n${exceptConnectionId ?? ''}\n${data}`).catch((err) => warn(err, 'publish failed'));
    },
    control(message) {
      pub.publish(controlChannel, `${instanceId}\n${JSON.stringify(message)}`).catch((err) => warn(err, 'control publish failed'));
    },
    onControl(listener) {
      controlListeners.push(listener);
    },
    async claimChat(chatId) {
      const key = claimKey(chatId);
      let granted: string | null;
      try {
        granted = await pub.set(key, instanceId, 'PX', CLAIM_TTL_MS, 'NX');
      } catch (err) {
        // Without Redis, instances cannot coordinate; answering beats refusing to reply.
        warn(err, 'claim failed; replying without coordination');
        return async () => {};
      }
      if (granted !== 'OK') return null;
      const renew = setInterval(() => {
        pub.eval(RENEW_IF_MINE, 1, key, instanceId, CLAIM_TTL_MS).catch((err) => warn(err, 'claim renewal failed'));
      }, CLAIM_RENEW_MS);
      renew.unref();
      return async () => {
        clearInterval(renew);
        await pub.eval(RELEASE_IF_MINE, 1, key, instanceId).catch((err) => warn(err, 'claim release failed'));
      };
    },
    async chatClaimed(chatId) {
      try {
        return (await pub.exists(claimKey(chatId))) === 1;
      } catch {
        return false;
      }
    },
    async check() {
      await pub.ping();
    },
    async close() {
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
