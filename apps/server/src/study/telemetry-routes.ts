import { telemetryBatchSchema } from '@parley/protocol';
import express, { Router } from 'express';
import { requireSession, sessionOf } from '../auth/require-session.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { AppError } from '../http/app-error.ts';
import { rateLimitByIp, type LimiterStore } from '../http/rate-limit.ts';
import { validate } from '../http/validate.ts';
import type { Telemetry } from './telemetry.ts';

/**
 * POST /api/telemetry: the same batches as the `telemetry` frame, for `navigator.sendBeacon` when
 * the page is being closed. A beacon sends a string as text/plain, so that is parsed as JSON too.
 */
export function telemetryRoutes(options: { sessions: SessionStore; telemetry: Telemetry; limiters: LimiterStore }): Router {
  const router = Router();
  router.post(
    '/telemetry',
    rateLimitByIp({ name: 'telemetry', store: options.limiters, points: 120, durationSeconds: 60, message: 'Too many telemetry requests from this address.' }),
    requireSession(options.sessions),
    express.text({ type: 'text/plain', limit: '64kb' }),
    async (req, res) => {
      let body: unknown = req.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          throw new AppError('invalid_json', 'The request body is not valid JSON.');
        }
      }
      const { events } = validate(telemetryBatchSchema, body ?? {});
      const accepted = await options.telemetry.record(sessionOf(res).user.id, events);
      res.status(202).json({ accepted });
    },
  );
  return router;
}
