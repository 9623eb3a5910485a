import { RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../http/app-error.ts';
import type { LimiterStore } from '../http/rate-limit.ts';

/**
 * How many messages one user may send per minute, counted over all their sockets and tabs, REST
 * and every instance. Each message starts a model call, so this bounds what one account can spend;
 * the per-socket frame rate alone would not (a user can open many sockets).
 */
export interface SendLimit {
  /** Counts one message of this user, or throws `rate_limited` when they have sent their share. */
  take(userId: string): Promise<void>;
  /** Gives the count back for a message that was not stored after all (the write failed). */
  giveBack(userId: string): void;
}

export function createSendLimit(limiters: LimiterStore, perMinute: number): SendLimit {
  const limiter = limiters({ name: 'messages-per-user', points: perMinute, durationSeconds: 60 });
  return {
    async take(userId) {
      try {
        await limiter.consume(userId);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new AppError('rate_limited', `You are sending messages faster than the agent can answer. Please wait ${seconds} s and send again.`);
      }
    },
    giveBack(userId) {
      limiter.reward(userId).catch(() => {}); // best effort: at worst the user waits a little longer
    },
  };
}
