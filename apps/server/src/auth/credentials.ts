import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';

export const SESSION_COOKIE = 'parley_session';

/** The session token a request carries: `Authorization: Bearer` first, then the session cookie. */
export function tokenFromRequest(req: Pick<IncomingMessage, 'headers'>): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim() || null;
  const cookieHeader = req.headers.cookie;
  if (!cookieHeader) return null;
  return parseCookie(cookieHeader)[SESSION_COOKIE] ?? null;
}
