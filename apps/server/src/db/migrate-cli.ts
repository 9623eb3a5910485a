// `pnpm db:migrate`: applies pending migrations to DATABASE_URL without starting the server.
import { loadEnvFile } from '../config/env-file.ts';
import { loadConfig } from '../config/config.ts';
import { SQLITE_MIGRATIONS_DIR, sqlitePathFromUrl } from './database.ts';
import { migrateSqlite } from './migrations.ts';

loadEnvFile();
const config = loadConfig(process.env);
const report = migrateSqlite(sqlitePathFromUrl(config.databaseUrl), SQLITE_MIGRATIONS_DIR);
console.log(
  report.applied.length
    ? `Applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
    : `Database is up to date (${report.alreadyApplied} migration(s) applied before).`,
);
