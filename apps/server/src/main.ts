// The backend's entry point: configuration from the environment, then the composition root.
import { startServer } from './app.ts';
import { ConfigError, loadConfig, type ServerConfig } from './config/config.ts';
import { loadEnvFile } from './config/env-file.ts';
import { createLogger } from './logging/logger.ts';

loadEnvFile();
let config: ServerConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Parley cannot start: ${err.message}`);
    process.exit(78); // EX_CONFIG: pm2 and systemd show it as a configuration error.
  }
  throw err;
}

const logger = createLogger(config.logLevel);
const server = await startServer(config, logger).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    logger.fatal(err.message);
    process.exit(78);
  }
  logger.fatal({ err }, 'parley backend failed to start');
  process.exit(1);
});

let signals = 0;
async function shutdown(signal: string): Promise<void> {
  signals += 1;
  if (signals > 1) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  logger.info({ signal }, 'shutting down');
  // Never hang: exit even if something refuses to close.
  setTimeout(() => {
    logger.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs + 2000).unref();
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
