import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of migration.sql, as Prisma records it, so `prisma migrate deploy` agrees with this runner. */
  checksum: string;
}

/** Reads `<dir>/<name>/migration.sql` folders in name order (Prisma's standard layout). */
export function readMigrations(dir: string): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

interface AppliedMigration {
  migration_name: string;
  checksum: string;
}

const APPLIED_MIGRATIONS = 'SELECT migration_name, checksum FROM _prisma_migrations WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL';

/** The migrations still to apply, in order; refuses when an applied one was edited afterwards. */
function planMigrations(migrationsDir: string, applied: AppliedMigration[]): { pending: MigrationFile[]; report: MigrationReport } {
  const checksums = new Map(applied.map((row) => [row.migration_name, row.checksum]));
  const pending: MigrationFile[] = [];
  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  for (const migration of readMigrations(migrationsDir)) {
    const recorded = checksums.get(migration.name);
    if (recorded === undefined) {
      pending.push(migration);
    } else if (recorded !== migration.checksum) {
      throw new MigrationError(`Migration ${migration.name} was changed after it was applied; restore the original file.`);
    } else {
      report.alreadyApplied += 1;
    }
  }
  return { pending, report };
}

// The bookkeeping table exactly as Prisma Migrate creates it on SQLite.
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations to a SQLite file, each in its own transaction, recording them in
 * `_prisma_migrations` the way Prisma does. Refuses to run when an applied migration was edited.
 */
export function migrateSqlite(filePath: string, migrationsDir: string): MigrationReport {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const db = new Database(filePath);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const applied = db.prepare(APPLIED_MIGRATIONS).all() as AppliedMigration[];
    const { pending, report } = planMigrations(migrationsDir, applied);
    for (const migration of pending) {
      const id = randomUUID();
      db.transaction(() => {
        db.exec(migration.sql);
        db.prepare(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, CURRENT_TIMESTAMP, ?, CURRENT_TIMESTAMP, 1)`,
        ).run(id, migration.checksum, migration.name);
      })();
      report.applied.push(migration.name);
    }
    return report;
  } finally {
    db.close();
  }
}

// The bookkeeping table exactly as Prisma Migrate creates it on PostgreSQL.
const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Any fixed number: instances starting together take turns migrating. */
const MIGRATION_LOCK_ID = 7_266_153;

/** The same as migrateSqlite, on PostgreSQL: each migration in its own transaction, under an advisory lock. */
export async function migratePostgres(url: string, migrationsDir: string): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(POSTGRES_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedMigration>(APPLIED_MIGRATIONS);
    const { pending, report } = planMigrations(migrationsDir, rows);
    for (const migration of pending) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      report.applied.push(migration.name);
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    await client.end();
  }
}
