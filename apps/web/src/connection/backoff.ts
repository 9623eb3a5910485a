/**
 * How long to wait before the next reconnect attempt. Fast at first (a dropped Wi-Fi or a
 * restarting server is usually back within a second or two), then slower so that hundreds of
 * participants do not hammer a server that is really down. Jitter spreads their retries apart.
 */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Fraction of the delay added or removed at random (0.2 = ±20 %). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 300, maxMs: 10_000, factor: 2, jitter: 0.2 };

/**
 * @param failures consecutive failed attempts so far, counting from 0 (the first retry).
 * @param random a source of numbers in [0, 1); injectable so tests are deterministic.
 */
export function reconnectDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, failures));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.round(Math.min(options.maxMs, Math.max(0, base + spread)));
}
