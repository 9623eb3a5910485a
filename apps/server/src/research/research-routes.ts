import {
  conversationListQuerySchema,
  dashboardQuerySchema,
  participantListQuerySchema,
  researcherLoginRequestSchema,
  type ConversationDetailResponse,
  type ResearcherLoginResponse,
  type ResearchStudyResponse,
} from '@parley/protocol';
import { Router, type CookieOptions } from 'express';
import type { AgentConfigStore } from '../agent/agent-config.ts';
import { sendsTemperature } from '../agent/providers/types.ts';
import type { Prisma } from '../db/database.ts';
import { AppError } from '../http/app-error.ts';
import { rateLimitByIp, type LimiterStore } from '../http/rate-limit.ts';
import { validate } from '../http/validate.ts';
import type { Logger } from '../logging/logger.ts';
import { createBrowser } from './browse.ts';
import { buildDashboard, type DashboardDeps } from './dashboard.ts';
import { exportRoute } from './export/export-route.ts';
import { verifyPassword, type PasswordHash } from './password-hash.ts';
import { RESEARCHER_COOKIE, RESEARCHER_COOKIE_PATH, requireResearcher, researcherOf, researcherTokenFrom } from './require-researcher.ts';
import type { ResearcherSessions } from './researcher-sessions.ts';

export interface ResearchRoutesOptions {
  prisma: Prisma;
  sessions: ResearcherSessions;
  /** Null: researcher login is disabled. */
  passwordHash: PasswordHash | null;
  cookieSecure: boolean;
  loginAttemptsPerMinute: number;
  /** Where login attempts are counted: shared by every instance when there are several. */
  limiters: LimiterStore;
  exportSalt: string | null;
  /** The study in force, and whether the settings file's last edit was valid. */
  settingsFile: Pick<AgentConfigStore, 'currentStudy' | 'lastResult'>;
  dashboard: Omit<DashboardDeps, 'prisma'>;
  logger: Logger;
}

/** Everything under /api/research: login, then (behind the researcher guard) the study, dashboard, browsing and export. */
export function researchRoutes(options: ResearchRoutesOptions): Router {
  const { prisma, sessions } = options;
  const router = Router();
  const browser = createBrowser(prisma);
  const cookie = (expires: Date): CookieOptions => ({
    httpOnly: true,
    // Strict: no other site can make the browser send it, not even by a link.
    sameSite: 'strict',
    secure: options.cookieSecure,
    path: RESEARCHER_COOKIE_PATH,
    expires,
  });
  // Lists and the dashboard show the study in force unless another is asked for.
  const currentStudy = () => options.settingsFile.currentStudy();
  const studyOr = (requested: string | undefined) => requested ?? currentStudy()?.id ?? null;

  router.post(
    '/research/login',
    rateLimitByIp({
      name: 'researcher-login',
      store: options.limiters,
      points: options.loginAttemptsPerMinute,
      durationSeconds: 60,
      message: 'Too many researcher login attempts from this address. Please wait a minute and try again.',
    }),
    async (req, res) => {
      const { password } = validate(researcherLoginRequestSchema, req.body ?? {});
      if (!options.passwordHash) {
        throw new AppError('researcher_disabled', 'Researcher login is disabled: the operator has not set RESEARCHER_PASSWORD_HASH (see scripts/hash_password.sh).');
      }
      if (!(await verifyPassword(password, options.passwordHash))) {
        options.logger.warn({ ip: req.ip }, 'researcher login with a wrong password');
        throw new AppError('unauthorized', 'That password is not right.');
      }
      const { token, session } = await sessions.open();
      res.cookie(RESEARCHER_COOKIE, token, cookie(session.expiresAt));
      const body: ResearcherLoginResponse = { token, expiresAt: session.expiresAt.toISOString() };
      res.json(body);
    },
  );

  router.post('/research/logout', async (req, res) => {
    const token = researcherTokenFrom(req);
    if (token) await sessions.revoke(token);
    res.clearCookie(RESEARCHER_COOKIE, { ...cookie(new Date(0)), expires: undefined });
    res.status(204).end();
  });

  // Every other researcher route, including unknown ones, answers 401 without a researcher session.
  router.use('/research', requireResearcher(sessions));

  router.get('/research/me', (_req, res) => {
    res.json({ expiresAt: researcherOf(res).expiresAt.toISOString() });
  });

  router.get('/research/study', (_req, res) => {
    const study = currentStudy();
    const file = options.settingsFile.lastResult();
    const body: ResearchStudyResponse = {
      study: study && {
        id: study.id,
        consentRequired: study.consent.required,
        consentText: study.consent.text,
        conditions: study.conditions.map(({ name, settings }) => ({
          name,
          provider: settings.provider,
          model: settings.model,
          systemPrompt: settings.systemPrompt,
          temperature: sendsTemperature(settings.provider) ? settings.temperature : null,
        })),
        limits: { ...study.limits },
        permissions: { ...study.permissions },
      },
      configFile: file.ok ? { ok: true, problem: null, errors: [] } : { ok: false, problem: file.problem, errors: file.errors },
    };
    res.json(body);
  });

  router.get('/research/dashboard', async (req, res) => {
    const query = validate(dashboardQuerySchema, req.query);
    const studyId = studyOr(query.study);
    const current = currentStudy();
    const conditions = current && current.id === studyId ? current.conditions.map((c) => c.name) : [];
    res.json(await buildDashboard({ prisma, ...options.dashboard }, studyId, conditions));
  });

  router.get('/research/participants', async (req, res) => {
    const query = validate(participantListQuerySchema, req.query);
    res.json(await browser.participants({ ...query, study: studyOr(query.study) }));
  });

  router.get('/research/conversations', async (req, res) => {
    const query = validate(conversationListQuerySchema, req.query);
    res.json(await browser.conversations({ ...query, study: studyOr(query.study) }));
  });

  router.get<{ id: string }>('/research/conversations/:id', async (req, res) => {
    const body: ConversationDetailResponse = { conversation: await browser.conversation(req.params.id) };
    res.json(body);
  });

  router.get('/research/export', exportRoute({ prisma, exportSalt: options.exportSalt, logger: options.logger }));

  // Unknown researcher paths: a researcher gets the usual 404, never the participant routes behind.
  router.use('/research', (_req, _res) => {
    throw new AppError('not_found', 'No such endpoint.');
  });

  return router;
}
