import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; pm2 or systemd decides where they go. Secrets are redacted by path. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parley-backend' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.accessCode', '*.token', '*.apiKey'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
