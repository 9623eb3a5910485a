// Parley's operations settings, resolved in one place for both the pm2 ecosystem file and the shell
// scripts, so that they always agree on ports and paths.
//
// Precedence: the process environment, then <repo>/.env, then the default. The backend reads .env the
// same way (dotenv, existing variables win), so a value means the same thing to every component.
//
//   require('./config.cjs').resolveConfig()      -> object (used by ecosystem.config.cjs)
//   node scripts/ops/config.cjs --shell           -> KEY='value' lines for `eval` in scripts/ops/lib.sh
//
// Never prints DATABASE_URL or any other secret: the shell only gets the SQLite file path.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..', '..');

class ConfigError extends Error {}

/** Minimal dotenv-compatible parser, used only when the backend's dotenv is not installed yet. */
function parseEnvText(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    let value = m[2].trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && value.indexOf(q, 1) > 0) {
      value = value.slice(1, value.indexOf(q, 1));
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[m[1]] = value;
  }
  return out;
}

function readEnvFile(root) {
  let text;
  try {
    text = fs.readFileSync(path.join(root, '.env'), 'utf8');
  } catch {
    return {};
  }
  // Prefer the backend's own parser so that quoting and comments are read exactly as the backend reads them.
  try {
    const dotenv = require(require.resolve('dotenv', { paths: [path.join(root, 'apps', 'server')] }));
    return dotenv.parse(text);
  } catch {
    return parseEnvText(text);
  }
}

function intSetting(name, value, min, max) {
  if (!/^\d+$/.test(String(value))) throw new ConfigError(`Invalid setting ${name}: "${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`Invalid setting ${name}: ${n} is outside ${min}..${max}`);
  return n;
}

function memorySetting(name, value) {
  if (!/^\d+[KMG]?$/i.test(String(value))) throw new ConfigError(`Invalid setting ${name}: "${value}" (use e.g. 512M or 1G)`);
  return String(value).toUpperCase();
}

/** The host a local client should dial to reach a server bound to `host` (0.0.0.0 and :: mean "all"). */
function dialHost(host) {
  if (!host || host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function resolveConfig(env = process.env, root = ROOT) {
  const file = readEnvFile(root);
  const get = (name) => (env[name] !== undefined && env[name] !== '' ? env[name] : file[name] !== '' ? file[name] : undefined);
  const abs = (p) => path.resolve(root, p);

  const dataDir = abs(get('PARLEY_DATA_DIR') ?? 'data');
  const databaseUrl = get('DATABASE_URL');
  let dbKind = 'sqlite';
  let dbFile = path.join(dataDir, 'parley.db');
  if (databaseUrl !== undefined) {
    if (databaseUrl.startsWith('file:')) dbFile = abs(databaseUrl.slice('file:'.length));
    else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
      dbKind = 'postgres';
      dbFile = '';
    } else throw new ConfigError('Invalid setting DATABASE_URL: must start with file: (SQLite) or postgresql://');
  }

  const shutdownTimeoutMs = intSetting('SHUTDOWN_TIMEOUT_MS', get('SHUTDOWN_TIMEOUT_MS') ?? '10000', 100, 120000);
  const backendPort = intSetting('BACKEND_PORT', get('BACKEND_PORT') ?? '8000', 1, 65535);
  const frontendPort = intSetting('FRONTEND_PORT', get('FRONTEND_PORT') ?? '3000', 1, 65535);
  if (backendPort === frontendPort) throw new ConfigError('Invalid setting FRONTEND_PORT: must differ from BACKEND_PORT');
  const backendDial = `http://${dialHost(get('HOST'))}:${backendPort}`;

  return {
    root,
    pm2Home: abs(get('PM2_HOME') ?? '.pm2'),
    logDir: abs(get('LOG_DIR') ?? 'logs'),
    dataDir,
    backendPort,
    frontendPort,
    // Where the scripts (and the frontend's proxy) reach each app; /health and /healthz are appended.
    backendUrl: backendDial,
    frontendUrl: `http://${dialHost(get('FRONTEND_HOST'))}:${frontendPort}`,
    // What the frontend proxies /api and /ws to.
    proxyTarget: get('BACKEND_URL') ?? backendDial,
    // The frontend is what browsers (or nginx) reach; bind it on all interfaces unless told otherwise.
    frontendHost: get('FRONTEND_HOST') ?? '0.0.0.0',
    // Only set for the backend when nothing else configures them, so PARLEY_DATA_DIR moves both.
    databaseUrlFromDataDir: databaseUrl === undefined ? `file:${path.join(dataDir, 'parley.db')}` : undefined,
    agentConfigFromDataDir: get('AGENT_CONFIG') === undefined ? path.join(dataDir, 'agent.json') : undefined,
    dbKind,
    dbFile,
    backupDir: abs(get('BACKUP_DIR') ?? path.join(dataDir, 'backups')),
    backupKeep: intSetting('BACKUP_KEEP', get('BACKUP_KEEP') ?? '14', 1, 100000),
    logMaxBytes: intSetting('LOG_MAX_BYTES', get('LOG_MAX_BYTES') ?? String(20 * 1024 * 1024), 1024, 2 ** 40),
    logKeep: intSetting('LOG_KEEP', get('LOG_KEEP') ?? '5', 1, 1000),
    startTimeoutSeconds: intSetting('START_TIMEOUT_SECONDS', get('START_TIMEOUT_SECONDS') ?? '90', 1, 3600),
    healthTimeoutSeconds: intSetting('HEALTH_TIMEOUT_SECONDS', get('HEALTH_TIMEOUT_SECONDS') ?? '5', 1, 300),
    // How long the monitor lets pm2's own restart finish before it steps in itself.
    monitorGraceSeconds: intSetting('MONITOR_GRACE_SECONDS', get('MONITOR_GRACE_SECONDS') ?? '20', 0, 600),
    keepAliveIntervalSeconds: intSetting('KEEPALIVE_INTERVAL_SECONDS', get('KEEPALIVE_INTERVAL_SECONDS') ?? '10', 1, 3600),
    shutdownTimeoutMs,
    // pm2 must never SIGKILL a backend that is still inside its own graceful-shutdown window
    // (the backend's hard deadline is SHUTDOWN_TIMEOUT_MS + 2 s): give it 5 s more.
    killTimeoutMs: shutdownTimeoutMs + 5000,
    backendMaxMemory: memorySetting('BACKEND_MAX_MEMORY', get('BACKEND_MAX_MEMORY') ?? '1G'),
    frontendMaxMemory: memorySetting('FRONTEND_MAX_MEMORY', get('FRONTEND_MAX_MEMORY') ?? '512M'),
  };
}

/**
 * The command an app's `start` script runs, read from its package.json so pm2 runs exactly what
 * `pnpm --filter <app> start` would, but without pnpm in between: pm2 must own the server process
 * itself, so that its signals reach the server and a crashed server is not hidden behind a live wrapper.
 */
function startEntry(root, appDir) {
  const pkgFile = path.join(root, appDir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const script = (pkg.scripts && pkg.scripts.start) || '';
  const m = /^NODE_ENV=production tsx (\S+\.ts)$/.exec(script.trim());
  if (!m) {
    throw new ConfigError(
      `${appDir}/package.json "start" is "${script}", not "NODE_ENV=production tsx <file>.ts": update ecosystem.config.cjs to match`,
    );
  }
  return m[1];
}

/**
 * Identifies the code and configuration a process was started with; start_services.sh restarts an app when
 * it changes. Code is the committed content of the app's own paths (git's tree ids at HEAD), so a `git pull`
 * that only touches the backend does not restart the frontend. Uncommitted edits are not seen: use --restart.
 */
function releaseId(root, parts, codePaths = [], readsEnvFile = true) {
  const h = crypto.createHash('sha256');
  try {
    h.update(
      execFileSync('git', ['-C', root, 'ls-tree', 'HEAD', '--', ...codePaths], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
  } catch {
    h.update('no-git');
  }
  // The backend reads .env itself at start; a changed .env needs a restart to apply. (What the scripts take
  // from .env for an app, ports and paths, is part of `parts` already.)
  if (readsEnvFile) {
    try {
      h.update(fs.readFileSync(path.join(root, '.env')));
    } catch {
      h.update('no-env-file');
    }
  }
  h.update(JSON.stringify(parts));
  return h.digest('hex').slice(0, 16);
}

function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

function toShell(c) {
  const vars = {
    PM2_HOME: c.pm2Home,
    LOG_DIR: c.logDir,
    PARLEY_DATA_DIR: c.dataDir,
    BACKEND_PORT: c.backendPort,
    FRONTEND_PORT: c.frontendPort,
    BACKEND_CHECK_URL: `${c.backendUrl}/health`,
    FRONTEND_CHECK_URL: `${c.frontendUrl}/healthz`,
    DB_KIND: c.dbKind,
    DB_FILE: c.dbFile,
    BACKUP_DIR: c.backupDir,
    BACKUP_KEEP: c.backupKeep,
    LOG_MAX_BYTES: c.logMaxBytes,
    LOG_KEEP: c.logKeep,
    START_TIMEOUT_SECONDS: c.startTimeoutSeconds,
    HEALTH_TIMEOUT_SECONDS: c.healthTimeoutSeconds,
    MONITOR_GRACE_SECONDS: c.monitorGraceSeconds,
    KILL_TIMEOUT_MS: c.killTimeoutMs,
    KEEPALIVE_INTERVAL_SECONDS: c.keepAliveIntervalSeconds,
  };
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join('\n');
}

module.exports = { resolveConfig, startEntry, releaseId, parseEnvText, ConfigError, ROOT };

if (require.main === module) {
  try {
    const c = resolveConfig();
    if (process.argv[2] === '--shell') process.stdout.write(`${toShell(c)}\n`);
    else process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`parley: ${err instanceof ConfigError ? err.message : err.stack}\n`);
    process.exit(78);
  }
}
