import type { BenchSizes } from './bench.ts';

/** The sizes of the targets in the performance issue: what `pnpm bench` runs. */
export const FULL_SIZES: BenchSizes = {
  heartbeatIntervalMs: 10_000,
  echoDelayMs: 20,
  connections: { count: 10_000, rampPerSecond: 1000, holdMs: 60_000, baselineHoldMs: 20_000 },
  sendAck: {
    sockets: 1000,
    rate: 2000,
    durationMs: 10_000,
    repeats: 3,
    searchRates: [2500, 3000, 3500, 4000, 5000, 6000, 8000],
    baselineSearchRates: [4000, 8000, 16_000, 32_000],
    searchDurationMs: 8000,
    p99LimitMs: 50,
  },
  streaming: { replies: 1000, tokens: 250, startsPerSecond: 1000, searchReplies: [100, 250, 500] },
  slowReader: { others: 200, pingRate: 400, sendRate: 40, phaseMs: 10_000, longReplies: 8, tokens: 100_000, echoDelayMs: 1 },
  crash: { sockets: 1000, rate: 2000, durationMs: 8000, killAtMs: 3000 },
  twoInstances: { participants: 1000, rates: [1000, 2000], durationMs: 10_000, replies: 250, tokens: 100 },
  web: { messages: 5000, tokens: 2000, echoDelayMs: 5, loads: 3 },
};

/** Small and short: for trying the harness, and the smoke test (scripts/bench/bench.test.ts). */
export const QUICK_SIZES: BenchSizes = {
  heartbeatIntervalMs: 1000,
  echoDelayMs: 5,
  connections: { count: 60, rampPerSecond: 500, holdMs: 2500, baselineHoldMs: 1000 },
  sendAck: {
    sockets: 20,
    rate: 200,
    durationMs: 1500,
    repeats: 1,
    searchRates: [400],
    baselineSearchRates: [400],
    searchDurationMs: 1000,
    p99LimitMs: 50,
  },
  streaming: { replies: 20, tokens: 30, startsPerSecond: 200, searchReplies: [10] },
  slowReader: { others: 10, pingRate: 50, sendRate: 10, phaseMs: 1500, longReplies: 2, tokens: 100_000, echoDelayMs: 0 },
  crash: { sockets: 20, rate: 300, durationMs: 3000, killAtMs: 1000 },
  twoInstances: { participants: 20, rates: [200], durationMs: 1500, replies: 10, tokens: 20 },
  web: { messages: 200, tokens: 100, echoDelayMs: 2, loads: 1 },
};
