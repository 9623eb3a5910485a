import {
  loginRequestSchema,
  PROTOCOL_VERSION,
  type LoginResponse,
  type MeResponse,
  type ParticipantIds,
  type PublicConfig,
  type User,
} from '@parley/protocol';
import { Router, type CookieOptions } from 'express';
import { AppError } from '../http/app-error.ts';
import { rateLimitByIp, type LimiterStore } from '../http/rate-limit.ts';
import { validate } from '../http/validate.ts';
import { SESSION_COOKIE, tokenFromRequest } from './credentials.ts';
import { requireSession, sessionOf } from './require-session.ts';
import type { SessionStore } from './session-store.ts';
import { secretsEqual } from './tokens.ts';

export interface AuthRoutesOptions {
  sessions: SessionStore;
  accessCode: string | null;
  cookieSecure: boolean;
  loginAttemptsPerMinute: number;
  /** Where login attempts are counted: shared by every instance when there are several. */
  limiters: LimiterStore;
  /** Closes the sockets of a session that just logged out. */
  onLogout(sessionId: string): void;
  /** After a successful login, before the answer: records study-link ids and enrols the participant in a running study. */
  onLogin?(user: User, participant: ParticipantIds | null): Promise<void>;
}

export function authRoutes(options: AuthRoutesOptions): Router {
  const { sessions, accessCode } = options;
  const router = Router();
  const cookie = (expires: Date): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: options.cookieSecure,
    path: '/',
    expires,
  });

  router.get('/config', (_req, res) => {
    const body: PublicConfig = { accessCodeRequired: accessCode !== null, protocolVersion: PROTOCOL_VERSION };
    res.json(body);
  });

  router.post(
    '/auth/login',
    rateLimitByIp({
      name: 'login',
      store: options.limiters,
      points: options.loginAttemptsPerMinute,
      durationSeconds: 60,
      message: 'Too many login attempts from this address. Please wait a minute and try again.',
    }),
    async (req, res) => {
      const { username, accessCode: given, participant } = validate(loginRequestSchema, req.body ?? {});
      if (accessCode !== null && (given === undefined || !secretsEqual(given, accessCode))) {
        throw new AppError('bad_access_code', given ? 'That access code is not right.' : 'This server needs an access code.');
      }
      // A study link's participant id is the username, so the same link always finds the same participant.
      const name = participant?.PROLIFIC_PID ?? participant?.pid ?? username;
      if (name === undefined) throw new AppError('validation_failed', 'username: Enter a username.');
      const { token, session } = await sessions.login(name);
      await options.onLogin?.(session.user, participant ?? null);
      res.cookie(SESSION_COOKIE, token, cookie(session.expiresAt));
      const body: LoginResponse = { user: session.user, token, expiresAt: session.expiresAt.toISOString() };
      res.json(body);
    },
  );

  router.post('/auth/logout', async (req, res) => {
    const token = tokenFromRequest(req);
    if (token) {
      const sessionId = await sessions.revoke(token);
      if (sessionId) options.onLogout(sessionId);
    }
    res.clearCookie(SESSION_COOKIE, { ...cookie(new Date(0)), expires: undefined });
    res.status(204).end();
  });

  router.get('/me', requireSession(sessions), (_req, res) => {
    const body: MeResponse = { user: sessionOf(res).user };
    res.json(body);
  });

  return router;
}
