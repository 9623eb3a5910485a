import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Per-client-address limit for an Express route. rate-limiter-flexible is used for HTTP and for
 * socket frames alike, and offers the same limiters backed by Redis for several instances.
 */
export function rateLimitByIp(options: { points: number; durationSeconds: number; message: string }): RequestHandler {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.durationSeconds });
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
