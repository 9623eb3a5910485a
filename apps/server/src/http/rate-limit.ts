import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Makes the limiter for one named limit. In one process the counts live in memory; with several
 * instances (cluster/redis-cluster.ts) they live in Redis, so a limit holds across all of them.
 */
export type LimiterStore = (options: { name: string; points: number; durationSeconds: number }) => RateLimiterAbstract;

export const memoryLimiters: LimiterStore = ({ points, durationSeconds }) => new RateLimiterMemory({ points, duration: durationSeconds });

/**
 * Per-client-address limit for an Express route. rate-limiter-flexible is used for HTTP and for
 * socket frames alike, with the same limiters backed by Redis for several instances.
 */
export function rateLimitByIp(options: { name: string; points: number; durationSeconds: number; message: string; store?: LimiterStore }): RequestHandler {
  const limiter = (options.store ?? memoryLimiters)(options);
  return async (req, res, next) => {
    try {
      await limiter.consume(req.ip ?? 'unknown');
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return next(rejection);
      res.setHeader('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
      res.status(429).json({ error: { code: 'rate_limited', message: options.message } });
    }
  };
}
