import type { IncomingMessage } from 'node:http';

/**
 * A browser request is trusted when its Origin is on the allow-list or is the very host it was sent to
 * (the frontend server proxies /api and /ws keeping the Host header). Requests without an Origin
 * come from non-browser clients, which cannot be driven by another site, so they pass.
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    const { host } = new URL(origin);
    return host !== '' && host === req.headers.host;
  } catch {
    return false;
  }
}
