import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { REPO_ROOT } from '../config/paths.ts';
import type { Logger } from '../logging/logger.ts';
import { PrismaClient } from './generated/sqlite/client.ts';
import { migrateSqlite } from './migrations.ts';

export type Prisma = InstanceType<typeof PrismaClient>;

export interface Database {
  readonly kind: 'sqlite';
  readonly prisma: Prisma;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SQLITE_MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');

export function sqlitePathFromUrl(url: string): string {
  if (!url.startsWith('file:')) throw new Error(`Not a SQLite URL: ${url}`);
  return url.slice('file:'.length);
}

/** Opens the database named by `url`, applying pending migrations first. */
export async function openDatabase(url: string, logger: Logger): Promise<Database> {
  const file = sqlitePathFromUrl(url);
  const report = migrateSqlite(file, SQLITE_MIGRATIONS_DIR);
  if (report.applied.length) logger.info({ applied: report.applied }, 'database migrations applied');

  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file }) });
  // One connection per client with this adapter, so these settings stick for its lifetime.
  // WAL + NORMAL: durable across process crashes (not power loss), and far faster commits.
  await prisma.$executeRawUnsafe('PRAGMA journal_mode = WAL');
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$executeRawUnsafe('PRAGMA busy_timeout = 5000');
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');

  return {
    kind: 'sqlite',
    prisma,
    async ping() {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
    },
  };
}
