// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (SQLite or PostgreSQL) without starting the server.
import { loadConfig } from '../config/config.ts';
import { loadEnvFile } from '../config/env-file.ts';
import { migrate } from './database.ts';

loadEnvFile();
const config = loadConfig(process.env);
const report = await migrate(config.databaseUrl);
console.log(
  report.applied.length
    ? `Applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
    : `Database is up to date (${report.alreadyApplied} migration(s) applied before).`,
);
