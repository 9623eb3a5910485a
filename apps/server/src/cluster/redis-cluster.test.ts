import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionRegistry } from '../gateway/connection-registry.ts';
import { createLogger } from '../logging/logger.ts';
import type { Cluster } from './cluster.ts';
import { createRedisCluster } from './redis-cluster.ts';

// Two instances' clusters in one process, on the local Redis (as the multi-instance tests use it).
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const clusters: Cluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.close()));
});

async function twoInstances(): Promise<[Cluster, Cluster]> {
  const prefix = `parley-test-lock-${Math.random().toString(36).slice(2)}:`;
  const make = () => createRedisCluster({ url: REDIS_URL, registry: new ConnectionRegistry(), logger: createLogger('silent'), prefix });
  const pair = [await make(), await make()] as [Cluster, Cluster];
  clusters.push(...pair);
  return pair;
}

describe('exclusive: one task per key across instances', () => {
  it('runs same-key tasks of two instances one after another, and other keys alongside', async () => {
    const [a, b] = await twoInstances();
    const timeline: string[] = [];
    let otherKeyStarted!: () => void;
    const otherKey = new Promise<void>((resolve) => (otherKeyStarted = resolve));
    const task = (name: string, hold: () => Promise<unknown>) => async () => {
      timeline.push(`${name} start`);
      await hold();
      timeline.push(`${name} end`);
      return name;
    };
    const pause = () => new Promise((r) => setTimeout(r, 50));
    const results = await Promise.all([
      // a1 holds participant 1 until participant 2's task has started (or 10 s pass): that one must not wait.
      a.exclusive('participant:1', task('a1', () => Promise.race([otherKey, new Promise((r) => setTimeout(r, 10_000))]))),
      b.exclusive('participant:1', task('b1', pause)),
      a.exclusive('participant:1', task('a2', pause)),
      b.exclusive('participant:2', task('b2', async () => otherKeyStarted())),
    ]);
    expect(results).toEqual(['a1', 'b1', 'a2', 'b2']);
    // Same key: never two at once. Every start on participant 1 is followed by its own end.
    const one = timeline.filter((entry) => !entry.startsWith('b2'));
    expect(one).toHaveLength(6);
    for (let i = 0; i < one.length; i += 2) {
      expect(one[i]!.endsWith('start')).toBe(true);
      expect(one[i + 1]).toBe(one[i]!.replace('start', 'end'));
    }
    expect(timeline.indexOf('b2 start')).toBeLessThan(timeline.indexOf('a1 end'));
  });

  it('frees the lock when a task fails', async () => {
    const [a, b] = await twoInstances();
    await expect(a.exclusive('participant:3', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const started = performance.now();
    expect(await b.exclusive('participant:3', async () => 'next')).toBe('next');
    expect(performance.now() - started).toBeLessThan(4_500); // released at once, not left to the lock's 5 s expiry
  });
});
