import type { RequestHandler } from 'express';

export interface InFlightRequests {
  /** Counts a request from its start until its response is finished or its connection is gone. */
  middleware: RequestHandler;
  readonly active: number;
  /** Resolves when no request is being served, or after `timeoutMs`; true if none was left. */
  settled(timeoutMs: number): Promise<boolean>;
}

/**
 * Lets shutdown finish the requests it has already accepted (a message being stored, an export being
 * written) before it closes the connections, instead of cutting them off mid-answer.
 */
export function trackInFlightRequests(): InFlightRequests {
  let active = 0;
  let waiters: (() => void)[] = [];
  return {
    middleware: (_req, res, next) => {
      active += 1;
      res.once('close', () => {
        active -= 1;
        if (active === 0) for (const wake of waiters.splice(0)) wake();
      });
      next();
    },
    get active() {
      return active;
    },
    settled(timeoutMs) {
      if (active === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== wake);
          resolve(false);
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        waiters.push(wake);
      });
    },
  };
}
