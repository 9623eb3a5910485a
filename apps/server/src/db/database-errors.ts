import { AppError } from '../http/app-error.ts';

// Prisma's codes for a database that cannot be reached, timed out, or dropped the connection.
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
// The driver adapters' kinds for the same (PostgreSQL through pg, SQLite through better-sqlite3).
const ADAPTER_CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed', 'SocketClosed']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', 'SQLITE_BUSY']);
const NETWORK_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|Client has encountered a connection error|connection (?:is )?closed|database is locked/i;

function isConnectionFailure(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; kind?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
  if (typeof e.code === 'string' && (PRISMA_CONNECTION_CODES.has(e.code) || NETWORK_CODES.has(e.code))) return true;
  if (typeof e.originalCode === 'string' && NETWORK_CODES.has(e.originalCode)) return true;
  if (e.name === 'PrismaClientInitializationError') return true;
  if (typeof e.kind === 'string' && ADAPTER_CONNECTION_KINDS.has(e.kind)) return true;
  if (typeof e.message === 'string' && NETWORK_MESSAGES.test(e.message)) return true;
  return isConnectionFailure(e.cause, depth + 1);
}

/**
 * The error a client should see for a failure of the database itself (unreachable, timed out, the
 * connection dropped): 503 `unavailable`, which says to try again, instead of a generic 500. Null for
 * any other error.
 */
export function databaseUnavailable(err: unknown): AppError | null {
  return isConnectionFailure(err) ? new AppError('unavailable', 'The database cannot be reached right now. Please try again in a moment.') : null;
}
