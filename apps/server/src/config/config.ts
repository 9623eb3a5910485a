import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { parsePasswordHash, PasswordHashFormatError, type PasswordHash } from '../research/password-hash.ts';
import { fromRepoRoot, REPO_ROOT } from './paths.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_FRONTEND_ORIGINS = ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000'];

const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intFromEnv = (min: number, max: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min).max(max);

/** Every setting the server reads, with its default. SERVER_SETUP.md documents each one. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFromEnv(0, 65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).optional(),
  ACCESS_CODE: z.string().optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: intFromEnv(1, 24 * 365).default(24 * 14),
  MAX_FRAME_BYTES: intFromEnv(1024, 16 * 1024 * 1024).default(64 * 1024),
  HEARTBEAT_INTERVAL_MS: intFromEnv(1000, 600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: intFromEnv(100, 120_000).default(10_000),
  TRUST_PROXY: z.string().optional(),
  COOKIE_SECURE: boolFromEnv.default(false),
  WS_FRAMES_PER_SECOND: intFromEnv(1, 100_000).default(20),
  MESSAGES_PER_MINUTE: intFromEnv(1, 1_000_000).default(60),
  LOGIN_ATTEMPTS_PER_MINUTE: intFromEnv(1, 100_000).default(30),
  METRICS_TOKEN: z.string().optional(),
  RESEARCHER_PASSWORD_HASH: z.string().optional(),
  RESEARCHER_SESSION_HOURS: intFromEnv(1, 24 * 30).default(12),
  RESEARCHER_LOGIN_ATTEMPTS_PER_MINUTE: intFromEnv(1, 1000).default(5),
  EXPORT_SALT: z.string().optional(),
  TELEMETRY_EVENTS_PER_MINUTE: intFromEnv(1, 100_000).default(600),
  STUDY_SWEEP_INTERVAL_MS: intFromEnv(100, 600_000).default(5000),
  AGENT_REPLIES: boolFromEnv.default(true),
  AGENT_CONFIG: z.string().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  PARLEY_DATA_DIR: z.string().min(1).default('data'),
  OPENAI_API_KEY: z.string().optional(),
  DATABASE_POOL_SIZE: intFromEnv(1, 1000).default(10),
  DATABASE_TIMEOUT_MS: intFromEnv(100, 600_000).default(5000),
  REDIS_PREFIX: z.string().min(1).max(100).default('parley:'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' }).optional(),
});

export interface ServerConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Always absolute for SQLite: `file:/abs/path.db`. */
  databaseUrl: string;
  /** PostgreSQL only: pool size and connection/statement timeout. */
  databasePoolSize: number;
  databaseTimeoutMs: number;
  accessCode: string | null;
  allowedOrigins: string[];
  logLevel: string;
  sessionTtlMs: number;
  maxFrameBytes: number;
  heartbeatIntervalMs: number;
  shutdownTimeoutMs: number;
  /** Express's `trust proxy` setting, so rate limits see the client's address behind nginx. */
  trustProxy: boolean | number | string;
  cookieSecure: boolean;
  /** Messages one user may send per minute, over every socket, REST and instance (each starts an agent reply). */
  messagesPerMinute: number;
  wsFramesPerSecond: number;
  loginAttemptsPerMinute: number;
  metricsToken: string | null;
  /** The researcher's password as a scrypt hash (scripts/hash_password.sh); null disables researcher login. */
  researcherPasswordHash: PasswordHash | null;
  researcherSessionTtlMs: number;
  researcherLoginAttemptsPerMinute: number;
  /** Key for pseudonymised exports; null: a random one per export. */
  exportSalt: string | null;
  telemetryEventsPerMinute: number;
  /** How often open tabs are checked for a study time limit that ran out. */
  studySweepIntervalMs: number;
  /**
   * False: user messages are stored and acknowledged but the agent does not answer. For measuring
   * the message write path alone (pnpm bench) and for pausing the agent without stopping the study.
   */
  agentReplies: boolean;
  agentConfigPath: string;
  anthropicApiKey: string | null;
  /** Where the Anthropic provider sends requests unless the agent file names a `baseUrl` (e.g. a gateway). */
  anthropicBaseUrl: string | null;
  openaiApiKey: string | null;
  /** Set: several instances share users through Redis (fan-out and reply coordination). */
  redisUrl: string | null;
  /** Namespace for Parley's Redis keys and channels, so several deployments can share one Redis. */
  redisPrefix: string;
}

/** `file:x.db` relative paths are resolved against the repository root, never the working directory. */
/** The database URL with SQLite paths made absolute; by default `parley.db` in the data folder. */
export function normalizeDatabaseUrl(url: string | undefined, dataDir = 'data'): string {
  if (!url) return `file:${path.join(fromRepoRoot(dataDir), 'parley.db')}`;
  if (url.startsWith('file:')) return `file:${fromRepoRoot(url.slice('file:'.length))}`;
  if (/^postgres(ql)?:\/\//.test(url)) return url;
  throw new ConfigError('DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL).');
}

/**
 * Default `loopback`: the production frontend server (and an nginx on the same machine) forward from
 * 127.0.0.1 with X-Forwarded-For, so each participant is limited by their own address, not all of
 * them together by the proxy's. Only a peer on this machine can set the address; a header sent from
 * outside is never believed.
 */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '') return 'loopback';
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  // Checked here with the parser express itself uses, so a typo stops start-up naming the variable.
  try {
    proxyAddr.compile(value.split(',').map((part) => part.trim()));
  } catch (err) {
    throw new ConfigError(`Invalid setting TRUST_PROXY: ${(err as Error).message}; use loopback, an address or CIDR list, a hop count, true or false.`);
  }
  return value;
}

function parseOrigins(value: string | undefined): string[] {
  if (!value) return DEFAULT_FRONTEND_ORIGINS;
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`ALLOWED_ORIGINS: "${origin}" is not an origin like https://chat.example.org.`);
    }
    if (parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`ALLOWED_ORIGINS: "${origin}" must be a bare origin (scheme, host, port) without a path.`);
    }
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

function parseResearcherHash(value: string | undefined): PasswordHash | null {
  if (!value) return null;
  try {
    return parsePasswordHash(value);
  } catch (err) {
    throw new ConfigError(`Invalid setting RESEARCHER_PASSWORD_HASH: ${err instanceof PasswordHashFormatError ? err.message : 'unreadable'}`);
  }
}

function parseExportSalt(value: string | undefined): string | null {
  if (!value) return null;
  // A short salt could be guessed, and with it every pseudonym reversed from the ids.
  if (value.length < 16) throw new ConfigError('Invalid setting EXPORT_SALT: use at least 16 random characters (e.g. openssl rand -hex 32)');
  return value;
}

/** Reads the configuration from an environment; throws ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid setting ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = result.data;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: normalizeDatabaseUrl(e.DATABASE_URL, e.PARLEY_DATA_DIR),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseTimeoutMs: e.DATABASE_TIMEOUT_MS,
    accessCode: e.ACCESS_CODE ? e.ACCESS_CODE : null,
    allowedOrigins: parseOrigins(e.ALLOWED_ORIGINS),
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    maxFrameBytes: e.MAX_FRAME_BYTES,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    cookieSecure: e.COOKIE_SECURE,
    wsFramesPerSecond: e.WS_FRAMES_PER_SECOND,
    messagesPerMinute: e.MESSAGES_PER_MINUTE,
    loginAttemptsPerMinute: e.LOGIN_ATTEMPTS_PER_MINUTE,
    metricsToken: e.METRICS_TOKEN ? e.METRICS_TOKEN : null,
    researcherPasswordHash: parseResearcherHash(e.RESEARCHER_PASSWORD_HASH),
    researcherSessionTtlMs: e.RESEARCHER_SESSION_HOURS * 3600_000,
    researcherLoginAttemptsPerMinute: e.RESEARCHER_LOGIN_ATTEMPTS_PER_MINUTE,
    exportSalt: parseExportSalt(e.EXPORT_SALT),
    telemetryEventsPerMinute: e.TELEMETRY_EVENTS_PER_MINUTE,
    studySweepIntervalMs: e.STUDY_SWEEP_INTERVAL_MS,
    agentReplies: e.AGENT_REPLIES,
    agentConfigPath: fromRepoRoot(e.AGENT_CONFIG ?? path.join(e.PARLEY_DATA_DIR, 'agent.json')),
    anthropicApiKey: e.ANTHROPIC_API_KEY ? e.ANTHROPIC_API_KEY : null,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL ?? null,
    openaiApiKey: e.OPENAI_API_KEY ? e.OPENAI_API_KEY : null,
    redisUrl: e.REDIS_URL ? e.REDIS_URL : null,
    redisPrefix: e.REDIS_PREFIX,
  };
}

export { REPO_ROOT };
