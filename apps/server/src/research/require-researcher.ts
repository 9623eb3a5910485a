import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import type { RequestHandler, Response } from 'express';
import { AppError } from '../http/app-error.ts';
import type { ResearcherSession, ResearcherSessions } from './researcher-sessions.ts';

/** Its own cookie, scoped to the researcher API: participants' pages never even send it. */
export const RESEARCHER_COOKIE = 'parley_researcher';
export const RESEARCHER_COOKIE_PATH = '/api/research';

/** `Authorization: Bearer` (scripts) first, then the researcher cookie (the web page). */
export function researcherTokenFrom(req: Pick<IncomingMessage, 'headers'>): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim() || null;
  const header = req.headers.cookie;
  return header ? (parseCookie(header)[RESEARCHER_COOKIE] ?? null) : null;
}

/** 401 for every request without a live researcher session, participant sessions included. */
export function requireResearcher(sessions: ResearcherSessions): RequestHandler {
  return async (req, res, next) => {
    const token = researcherTokenFrom(req);
    const session = token ? await sessions.resolve(token) : null;
    if (!session) throw new AppError('unauthorized', 'Please log in as a researcher.');
    res.locals.researcher = session;
    next();
  };
}

export function researcherOf(res: Response): ResearcherSession {
  const session = res.locals.researcher as ResearcherSession | undefined;
  if (!session) throw new AppError('unauthorized', 'Please log in as a researcher.');
  return session;
}
