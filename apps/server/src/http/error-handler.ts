import type { ErrorRequestHandler, RequestHandler } from 'express';
import { databaseUnavailable } from '../db/database-errors.ts';
import type { Logger } from '../logging/logger.ts';
import { AppError } from './app-error.ts';

/** Everything the client sees of a failure: `{error:{code,message}}`, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof AppError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    // body-parser errors carry a `type` and an HTTP status.
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'The request body is not valid JSON.' } });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: 'The request body is too large.' } });
      return;
    }
    // Any other client error from express or body-parser (an undecodable path, an unsupported
    // charset or encoding) is the request's fault: a 400 with a plain message, never a logged 500.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(400).json({ error: { code: 'bad_request', message: clientErrorMessage(status) } });
      return;
    }
    const unavailable = databaseUnavailable(err);
    if (unavailable) {
      logger.warn({ err, reqId: req.id, url: req.originalUrl }, 'database unavailable');
      res.status(unavailable.status).json({ error: { code: unavailable.code, message: unavailable.message } });
      return;
    }
    logger.error({ err, reqId: req.id, url: req.originalUrl }, 'unhandled request error');
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on the server. Please try again.' } });
  };
}

function clientErrorMessage(status: number): string {
  if (status === 415) return 'The request body must be JSON in UTF-8.';
  return 'The request could not be understood; check its address and body.';
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint.' } });
};
