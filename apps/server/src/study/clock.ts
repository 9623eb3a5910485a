/**
 * Where study code reads the time: consent timestamps, the time limit, telemetry's server time.
 * Injected so tests can move time forward instead of waiting for minutes.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
