import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, reconnectDelay } from './backoff.ts';

const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };

describe('reconnectDelay', () => {
  it('starts fast and doubles after each failure', () => {
    expect([0, 1, 2, 3, 4].map((n) => reconnectDelay(n, noJitter))).toEqual([300, 600, 1200, 2400, 4800]);
  });

  it('never exceeds the maximum, however many attempts failed', () => {
    expect(reconnectDelay(6, noJitter)).toBe(10_000);
    expect(reconnectDelay(50, noJitter)).toBe(10_000);
    expect(reconnectDelay(10_000, DEFAULT_BACKOFF, () => 0.999)).toBe(10_000);
  });

  it('spreads retries by at most the jitter fraction either way', () => {
    expect(reconnectDelay(2, DEFAULT_BACKOFF, () => 0)).toBe(960); // 1200 − 20 %
    expect(reconnectDelay(2, DEFAULT_BACKOFF, () => 0.5)).toBe(1200);
    expect(reconnectDelay(2, DEFAULT_BACKOFF, () => 0.9999)).toBe(1440); // 1200 + 20 %
  });
});
