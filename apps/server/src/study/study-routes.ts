import { consentRequestSchema, type ConsentResponse, type StudyResponse } from '@parley/protocol';
import { Router } from 'express';
import { requireSession, sessionOf } from '../auth/require-session.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { validate } from '../http/validate.ts';
import type { StudyService } from './study-service.ts';

/** GET /api/study and POST /api/study/consent: the participant's side of the study. */
export function studyRoutes(options: { sessions: SessionStore; study: StudyService }): Router {
  const { study } = options;
  const router = Router();
  router.use('/study', requireSession(options.sessions));

  router.get('/study', async (_req, res) => {
    const body: StudyResponse = { study: await study.view(sessionOf(res).user.id) };
    res.json(body);
  });

  router.post('/study/consent', async (req, res) => {
    const { accept } = validate(consentRequestSchema, req.body ?? {});
    const body: ConsentResponse = { study: await study.decideConsent(sessionOf(res).user.id, accept) };
    res.json(body);
  });

  return router;
}
