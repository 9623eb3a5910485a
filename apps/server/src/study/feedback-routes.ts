import { feedbackRequestSchema, type FeedbackResponse, type ServerFrame } from '@parley/protocol';
import { Router } from 'express';
import { requireSession, sessionOf } from '../auth/require-session.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { rateLimitByIp, type LimiterStore } from '../http/rate-limit.ts';
import { validate } from '../http/validate.ts';
import type { Clock } from './clock.ts';
import type { FeedbackStore } from './feedback-store.ts';
import type { StudyService } from './study-service.ts';

export interface FeedbackRoutesOptions {
  sessions: SessionStore;
  feedback: FeedbackStore;
  study: StudyService;
  clock: Clock;
  /** Tells the participant's other tabs. */
  publish(userId: string, frame: ServerFrame): void;
  /** Where the per-address count is kept: shared by every instance when there are several. */
  limiters: LimiterStore;
}

/** PUT /api/messages/:id/feedback: thumbs and a comment on an assistant message of the caller's own chat. */
export function feedbackRoutes(options: FeedbackRoutesOptions): Router {
  const router = Router();
  router.put<{ id: string }>(
    '/messages/:id/feedback',
    requireSession(options.sessions),
    rateLimitByIp({ name: 'feedback', store: options.limiters, points: 120, durationSeconds: 60, message: 'Too much feedback too fast. Please slow down.' }),
    async (req, res) => {
      const { rating, comment } = validate(feedbackRequestSchema, req.body ?? {});
      const userId = sessionOf(res).user.id;
      const participation = await options.study.requireMayChat(userId);
      const recorded = await options.feedback.record({ userId, participantId: participation?.id ?? null, messageId: req.params.id, rating, comment, at: options.clock.now() });
      options.publish(userId, { type: 'feedback.updated', chatId: recorded.chatId, messageId: req.params.id, feedback: recorded.feedback });
      const body: FeedbackResponse = { messageId: req.params.id, feedback: recorded.feedback };
      res.json(body);
    },
  );
  return router;
}
