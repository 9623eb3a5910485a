import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { originAllowed } from '../auth/origin.ts';
import type { Logger } from '../logging/logger.ts';
import type { InFlightRequests } from './in-flight.ts';

/** Express with Parley's common middleware: request ids and logging, JSON bodies, Origin check. */
export function createHttpApp(options: { logger: Logger; trustProxy: boolean | number | string; allowedOrigins: readonly string[]; inFlight: InFlightRequests }): Express {
  const app = express();
  app.use(options.inFlight.middleware);
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use(express.json({ limit: '256kb' }));
  app.use(rejectForeignOrigins(options.allowedOrigins));
  return app;
}

/** State-changing requests from another site's page are refused (SameSite cookies are the first line). */
function rejectForeignOrigins(allowedOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || originAllowed(req, allowedOrigins)) return next();
    res.status(403).json({ error: { code: 'forbidden', message: 'Requests from this origin are not allowed.' } });
  };
}
