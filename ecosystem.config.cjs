// pm2 process definitions for Parley: the backend (API + WebSocket, port 8000) and the frontend server
// (built client + /api and /ws proxy, port 3000). Use it through scripts/start_services.sh, which
// also installs, builds, migrates and waits for health; SERVER_SETUP.md explains every setting.
//
// Ports, folders and limits come from scripts/ops/config.cjs (environment > .env > default), the
// same resolver the shell scripts use, so a test can run a whole second instance on free ports.
'use strict';

const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { resolveConfig, startEntry, releaseId } = require('./scripts/ops/config.cjs');

const cfg = resolveConfig(process.env, __dirname);
// tsx as a loader inside the server's own node process (not the tsx CLI, which would add a parent process).
const tsxLoader = pathToFileURL(require.resolve('tsx', { paths: [__dirname] })).href;

function app({ name, dir, codePaths, readsEnvFile, logFile, maxMemory, env }) {
  const cwd = path.join(__dirname, dir);
  const args = ['--import', tsxLoader, startEntry(__dirname, dir)];
  const appEnv = { NODE_ENV: 'production', ...env };
  appEnv.PARLEY_RELEASE = releaseId(__dirname, { name, args, appEnv, maxMemory, killTimeout: cfg.killTimeoutMs }, codePaths, readsEnvFile);
  return {
    name,
    cwd,
    // Run node itself (interpreter "none"): the pid pm2 reports is the server's, and SIGINT reaches it directly.
    script: process.execPath,
    interpreter: 'none',
    args,
    exec_mode: 'fork',
    instances: 1,
    autorestart: true,
    // Crash loops back off 250 ms, 375 ms, ... up to 15 s instead of hammering the machine; the delay resets
    // after 30 s of uptime.
    exp_backoff_restart_delay: 250,
    max_memory_restart: maxMemory,
    // pm2 stops with SIGINT (the backend's graceful shutdown) and SIGKILLs only after this.
    kill_signal: 'SIGINT',
    kill_timeout: cfg.killTimeoutMs,
    // Exit code 78 is the backend's "invalid configuration": restarting cannot fix it, so pm2 leaves it stopped
    // and start_services.sh / monitor_services.sh report the message from the log instead of a crash loop.
    stop_exit_codes: [78],
    out_file: path.join(cfg.logDir, logFile),
    error_file: path.join(cfg.logDir, logFile),
    merge_logs: true,
    // Every line gets a local timestamp with offset, including stderr lines (crash traces) the app did not format.
    log_date_format: 'YYYY-MM-DDTHH:mm:ss.SSSZ',
    env: appEnv,
  };
}

const backendEnv = { PORT: String(cfg.backendPort) };
if (cfg.databaseUrlFromDataDir) backendEnv.DATABASE_URL = cfg.databaseUrlFromDataDir;
if (cfg.agentConfigFromDataDir) backendEnv.AGENT_CONFIG = cfg.agentConfigFromDataDir;
backendEnv.SHUTDOWN_TIMEOUT_MS = String(cfg.shutdownTimeoutMs);

// The frontend server and the backend both read HOST: give each app its own (FRONTEND_HOST for this one).
const frontendEnv = {
  PORT: String(cfg.frontendPort),
  WEB_PORT: String(cfg.frontendPort),
  HOST: cfg.frontendHost,
  BACKEND_URL: cfg.proxyTarget,
};

module.exports = {
  apps: [
    app({
      name: 'parley-backend',
      dir: 'apps/server',
      codePaths: ['apps/server', 'packages', 'prisma', 'package.json', 'pnpm-lock.yaml'],
      readsEnvFile: true,
      logFile: 'backend.log',
      maxMemory: cfg.backendMaxMemory,
      env: backendEnv,
    }),
    app({
      name: 'parley-frontend',
      dir: 'apps/web',
      // The client itself is rebuilt by start_services.sh, which restarts the frontend after a build.
      codePaths: ['apps/web/server', 'apps/web/package.json', 'packages', 'package.json', 'pnpm-lock.yaml'],
      // The frontend server takes its settings only from the environment pm2 gives it.
      readsEnvFile: false,
      logFile: 'frontend.log',
      maxMemory: cfg.frontendMaxMemory,
      env: frontendEnv,
    }),
  ],
};
