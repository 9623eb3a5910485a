import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '@parley/protocol';
import { secretsEqual } from '../auth/tokens.ts';

export type MetricsAccess = { allowed: true } | { allowed: false; status: 401 | 403; code: ErrorCode; message: string };

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Headers a reverse proxy adds. Behind nginx on the same host every request comes from 127.0.0.1. */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * Who may read /metrics: a scraper on this machine, or anyone presenting METRICS_TOKEN.
 *
 * "This machine" is decided by the socket's remote address, never by a header a client can set.
 * Headers are only used to refuse: a request that a local reverse proxy forwarded also arrives
 * from 127.0.0.1, yet comes from the internet, so it needs the token like any remote one.
 */
export function checkMetricsAccess(req: Pick<IncomingMessage, 'headers' | 'socket'>, token: string | null): MetricsAccess {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
    if (token !== null && given !== '' && secretsEqual(given, token)) return { allowed: true };
    return { allowed: false, status: 401, code: 'unauthorized', message: 'The metrics token is not right.' };
  }
  const local = LOOPBACK.has(req.socket.remoteAddress ?? '');
  const proxied = PROXY_HEADERS.some((name) => req.headers[name] !== undefined);
  if (local && !proxied) return { allowed: true };
  if (token !== null) return { allowed: false, status: 401, code: 'unauthorized', message: 'Metrics need the operator token (Authorization: Bearer).' };
  return { allowed: false, status: 403, code: 'forbidden', message: 'Metrics are readable from this machine only (set METRICS_TOKEN to allow remote scraping).' };
}
