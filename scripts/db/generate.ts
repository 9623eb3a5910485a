// Generates the Prisma clients (SQLite and PostgreSQL) without network access.
// The PostgreSQL schema is rendered from the SQLite one first, so the two cannot drift apart.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { POSTGRES_SCHEMA, ROOT, SQLITE_SCHEMA, writePostgresSchema } from './postgres-schema.ts';

writePostgresSchema();
for (const schema of [SQLITE_SCHEMA, POSTGRES_SCHEMA]) {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', schema], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Generation never runs the schema engine, but the CLI insists on finding one.
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
}
