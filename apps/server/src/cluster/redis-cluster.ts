import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { ConnectionRegistry } from '../gateway/connection-registry.ts';
import type { Logger } from '../logging/logger.ts';
import type { Activity, Cluster, ControlMessage } from './cluster.ts';
import { KeyedLock } from './keyed-lock.ts';

/** How long a chat's reply claim lives without renewal: a crashed instance frees its chats after this. */
const CLAIM_TTL_MS = 15_000;
const CLAIM_RENEW_MS = 5_000;
/** Each instance reports its activity this often; a report lives three times as long (a dead instance drops out). */
const ACTIVITY_REPORT_MS = 5_000;
/**
 * A cross-instance lock lives this long unless released (its holder crashed); a task waits for one
 * at most a little longer, then goes on without it rather than refusing the participant.
 */
const LOCK_TTL_MS = 5_000;
const LOCK_RENEW_MS = 1_500;
const LOCK_WAIT_MS = 6_000;
/** How long start-up waits for Redis before it goes on without it. */
const START_WAIT_MS = 3_000;

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
  // Both connect at once and keep retrying for as long as Redis is away (also at start).
  const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000);
  // Fail fast while disconnected rather than queueing frames that would arrive stale, and fail a command
  // that gets no answer within a second (a Redis that hangs): sends wait on locks and limits here.
  const pub = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, commandTimeout: 1_000 });
  // The subscription waits for Redis however long it takes; ioredis renews it after every reconnect.
  const sub = new Redis(options.url, { enableOfflineQueue: true, maxRetriesPerRequest: null, retryStrategy });
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

  const subscribed = sub.subscribe(framesChannel, controlChannel).then(
    () => true,
    (err: unknown) => (warn(err, 'subscribe failed'), false),
  );
  // A healthy start is fully connected before it serves. Without Redis the instance starts anyway,
  // degraded (its own sockets only), rather than failing and being restarted in a loop by pm2.
  const waited = await Promise.race([subscribed, new Promise<false>((resolve) => setTimeout(resolve, START_WAIT_MS, false).unref())]);
  if (!waited) logger.warn('redis: not reachable at start; serving this instance\'s sockets only until it is (health: degraded)');
  const claimKey = (chatId: string) => `${prefix}reply:${chatId}`;
  // Same-instance tasks queue in memory first, so only one per key and instance waits on Redis.
  const localLocks = new KeyedLock();

  /**
   * Keeps a key this instance set to `token` alive (renewed every `renewMs` for `ttlMs` more) until the
   * returned release deletes it, only if it is still ours. Release answers false when the key had
   * expired and was no longer ours (or true when Redis could not be asked).
   */
  function hold(key: string, token: string, ttlMs: number, renewMs: number, what: string): () => Promise<boolean> {
    const renew = setInterval(() => {
      pub.eval(RENEW_IF_MINE, 1, key, token, ttlMs).catch((err) => warn(err, `${what} renewal failed`));
    }, renewMs);
    renew.unref();
    return async () => {
      clearInterval(renew);
      const released = await pub.eval(RELEASE_IF_MINE, 1, key, token).catch((err) => warn(err, `${what} release failed`));
      return released !== 0;
    };
  }

  /** Takes the Redis lock `key` for `token`; false when Redis cannot be asked or the wait ran out. */
  async function acquire(key: string, token: string): Promise<boolean> {
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        if ((await pub.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') return true;
      } catch (err) {
        warn(err, 'lock unavailable; going on without it');
        return false;
      }
      if (Date.now() >= giveUpAt) {
        warn(new Error(`lock ${key} still held after ${LOCK_WAIT_MS} ms`), 'lock wait ran out; going on without it');
        return false;
      }
      await sleep(pause);
    }
  }
  const activityPrefix = `${prefix}activity:`;
  const activityKey = `${activityPrefix}${instanceId}`;
  let source = (): Activity => ({ connections: 0, replies: 0 });
  const report = () => {
    pub.set(activityKey, JSON.stringify(source()), 'PX', ACTIVITY_REPORT_MS * 3).catch((err) => warn(err, 'activity report failed'));
  };
  const reportActivity = setInterval(report, ACTIVITY_REPORT_MS);
  reportActivity.unref();

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
      const release = hold(key, instanceId, CLAIM_TTL_MS, CLAIM_RENEW_MS, 'claim');
      return async () => {
        await release();
      };
    },
    exclusive(name, task) {
      return localLocks.run(name, async () => {
        const key = `${prefix}lock:${name}`;
        const token = randomUUID();
        // Renewed while the task runs, so a slow task keeps its lock; the TTL only frees a dead holder's.
        const release = (await acquire(key, token)) ? hold(key, token, LOCK_TTL_MS, LOCK_RENEW_MS, 'lock') : null;
        try {
          return await task();
        } finally {
          if (release && !(await release())) logger.warn({ lock: name }, 'redis: a lock expired while its task ran; another instance may have run alongside');
        }
      });
    },
    async chatClaimed(chatId) {
      try {
        return (await pub.exists(claimKey(chatId))) === 1;
      } catch {
        return false;
      }
    },
    setActivitySource(next) {
      source = next;
      report();
    },
    async activity() {
      const mine = source();
      const others: Activity[] = [];
      try {
        const keys: string[] = [];
        for await (const batch of pub.scanStream({ match: `${activityPrefix}*`, count: 100 }) as AsyncIterable<string[]>) keys.push(...batch);
        const otherKeys = keys.filter((k) => k !== activityKey);
        const values = otherKeys.length > 0 ? await pub.mget(...otherKeys) : [];
        for (const value of values) if (value) others.push(JSON.parse(value) as Activity);
      } catch (err) {
        warn(err, 'activity of the other instances unavailable');
      }
      const total = { ...mine, instances: 1 };
      for (const other of others) {
        total.connections += other.connections;
        total.replies += other.replies;
        total.instances += 1;
      }
      return total;
    },
    // Counted in Redis for every instance; while Redis is away each instance counts alone (the insurance limiter).
    limiters: ({ name, points, durationSeconds }) =>
      new RateLimiterRedis({
        storeClient: pub,
        keyPrefix: `${prefix}limit:${name}`,
        points,
        duration: durationSeconds,
        insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds }),
      }),
    async check() {
      await pub.ping();
    },
    async close() {
      clearInterval(reportActivity);
      await pub.del(activityKey).catch(() => {});
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
