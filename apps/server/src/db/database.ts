import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type BetterSqlite3 from 'better-sqlite3';
import { REPO_ROOT } from '../config/paths.ts';
import type { Logger } from '../logging/logger.ts';
import { PrismaClient as PostgresClient } from './generated/postgresql/client.ts';
import { PrismaClient } from './generated/sqlite/client.ts';
import { migratePostgres, migrateSqlite, type MigrationReport } from './migrations.ts';

/**
 * The Prisma client type the code is written against. Both generated clients come from one set of
 * models (prisma/postgresql/schema.prisma is derived from prisma/schema.prisma), so their model APIs
 * are the same; the SQLite client's type stands for both.
 */
export type Prisma = InstanceType<typeof PrismaClient>;

export type DatabaseKind = 'sqlite' | 'postgresql';

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: Prisma;
  /**
   * SQLite only: the one connection Prisma itself uses. Work done on it synchronously (begun and
   * committed in one tick) can never interleave with Prisma's statements; see chats/sqlite-write-batch.ts.
   */
  readonly sqlite: (() => BetterSqlite3.Database) | null;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
  /** PostgreSQL: how long to wait for a connection, and for one statement. */
  timeoutMs?: number;
}

export const SQLITE_MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');
export const POSTGRES_MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'postgresql', 'migrations');

export const databaseKind = (url: string): DatabaseKind => (url.startsWith('file:') ? 'sqlite' : 'postgresql');

export function sqlitePathFromUrl(url: string): string {
  if (!url.startsWith('file:')) throw new Error(`Not a SQLite URL: ${url}`);
  return url.slice('file:'.length);
}

/** Applies pending migrations to the database named by `url` (both engines). */
export function migrate(url: string): Promise<MigrationReport> {
  return databaseKind(url) === 'sqlite'
    ? Promise.resolve(migrateSqlite(sqlitePathFromUrl(url), SQLITE_MIGRATIONS_DIR))
    : migratePostgres(url, POSTGRES_MIGRATIONS_DIR);
}

/** Opens the database named by `url`, applying pending migrations first. */
export async function openDatabase(url: string, logger: Logger, options: DatabaseOptions = {}): Promise<Database> {
  const report = await migrate(url);
  if (report.applied.length) logger.info({ applied: report.applied }, 'database migrations applied');
  return databaseKind(url) === 'sqlite' ? openSqlite(sqlitePathFromUrl(url)) : openPostgres(url, options);
}

/** Prisma's SQLite adapter, keeping hold of the better-sqlite3 connection it opens. */
function sharedConnectionAdapter(file: string) {
  const factory = new PrismaBetterSqlite3({ url: file });
  let connection: BetterSqlite3.Database | null = null;
  const adapter = {
    provider: 'sqlite' as const,
    adapterName: factory.adapterName,
    async connect() {
      const opened = await factory.connect();
      // The adapter keeps its connection in a public field (checked once the database is open).
      connection = (opened as unknown as { client: BetterSqlite3.Database }).client;
      return opened;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
  return { adapter, connection: () => connection };
}

async function openSqlite(file: string): Promise<Database> {
  const shared = sharedConnectionAdapter(file);
  const prisma = new PrismaClient({ adapter: shared.adapter });
  // One connection per client with this adapter, so these settings stick for its lifetime.
  // WAL + NORMAL: durable across process crashes (not power loss), and far faster commits.
  await prisma.$executeRawUnsafe('PRAGMA journal_mode = WAL');
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$executeRawUnsafe('PRAGMA busy_timeout = 5000');
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  if (typeof shared.connection()?.prepare !== 'function') throw new Error('The SQLite adapter did not expose its connection.');
  return wrap('sqlite', prisma, () => {
    const connection = shared.connection();
    if (!connection?.open) throw new Error('The SQLite connection is closed.');
    return connection;
  });
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const adapter = new PrismaPg({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: timeoutMs,
    idleTimeoutMillis: 30_000,
    // A lost server fails queries within the timeout instead of hanging requests.
    statement_timeout: timeoutMs * 2,
    query_timeout: timeoutMs * 2,
  });
  const prisma = new PostgresClient({ adapter }) as unknown as Prisma;
  return wrap('postgresql', prisma, null);
}

function wrap(kind: DatabaseKind, prisma: Prisma, sqlite: Database['sqlite']): Database {
  return {
    kind,
    prisma,
    sqlite,
    async ping() {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
    },
  };
}
