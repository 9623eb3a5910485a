import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../http/app-error.ts';
import { tokenFromRequest } from './credentials.ts';
import type { AuthenticatedSession, SessionStore } from './session-store.ts';

/** Rejects requests without a live session with 401; otherwise records it for the handler. */
export function requireSession(sessions: SessionStore): RequestHandler {
  return async (req, res, next) => {
    const token = tokenFromRequest(req);
    const session = token ? await sessions.resolve(token) : null;
    if (!session) throw new AppError('unauthorized', 'Please log in first.');
    res.locals.session = session;
    next();
  };
}

export function sessionOf(res: Response): AuthenticatedSession {
  const session = res.locals.session as AuthenticatedSession | undefined;
  if (!session) throw new AppError('unauthorized', 'Please log in first.');
  return session;
}

export type { Request };
