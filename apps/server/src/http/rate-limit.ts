import type { RequestHandler } from 'express';
import ipaddr from 'ipaddr.js';
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
export function rateLimitByIp(options: { name: string; points: number; durationSeconds: number; message: string; store: LimiterStore }): RequestHandler {
  const limiter = options.store(options);
  return async (req, res, next) => {
    try {
      await limiter.consume(clientKey(req.ip));
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return next(rejection);
      res.setHeader('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
      res.status(429).json({ error: { code: 'rate_limited', message: options.message } });
    }
  };
}

/**
 * Whom a limit counts: an IPv4 address, or an IPv6 address's /64 network, since one household or
 * server is routinely given a whole /64 and could otherwise take a fresh address for every attempt.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return ip || 'unknown';
  const address = ipaddr.process(ip); // an IPv4-mapped IPv6 address counts as its IPv4 address
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
